/**
 * Khmer and Lao names of the default maintenance items, for what customers read (reminder digests, appointment
 * emails, the booking page). Items added to the catalogue later have only their (English) catalogue name.
 */
export const ITEM_NAMES: Record<string, { km: string; lo: string }> = {
  OIL_CHANGE: { km: 'ប្តូរប្រេងម៉ាស៊ីន និងតម្រងប្រេង', lo: 'ປ່ຽນນ້ຳມັນເຄື່ອງ ແລະ ໄສ້ກອງນ້ຳມັນ' },
  TIRE_ROTATION: { km: 'ប្តូរទីតាំងកង់', lo: 'ສະຫຼັບຢາງລົດ' },
  BRAKE_INSPECTION: { km: 'ពិនិត្យប្រព័ន្ធហ្វ្រាំង', lo: 'ກວດລະບົບເບກ' },
  CABIN_AIR_FILTER: { km: 'តម្រងខ្យល់ក្នុងកាប៊ីន', lo: 'ໄສ້ກອງອາກາດໃນຫ້ອງໂດຍສານ' },
  ENGINE_AIR_FILTER: { km: 'តម្រងខ្យល់ម៉ាស៊ីន', lo: 'ໄສ້ກອງອາກາດເຄື່ອງຈັກ' },
  BRAKE_FLUID: { km: 'ប្រេងហ្វ្រាំង', lo: 'ນ້ຳມັນເບກ' },
  TRANSMISSION_FLUID: { km: 'ប្រេងប្រអប់លេខ', lo: 'ນ້ຳມັນເກຍ' },
  COOLANT: { km: 'ទឹកត្រជាក់ម៉ាស៊ីន', lo: 'ນ້ຳຢາຫຼໍ່ເຢັນ' },
  SPARK_PLUGS: { km: 'ប៊ូហ្ស៊ី', lo: 'ຫົວທຽນ' },
  EV_BATTERY_CHECK: { km: 'ពិនិត្យថ្មរថយន្តអគ្គិសនី', lo: 'ກວດແບັດເຕີຣີລົດໄຟຟ້າ' },
};

/** An item's name in each language: the catalogue name, and its Khmer and Lao names where this file has them. */
export function localizedItemName(
  code: string | null | undefined,
  name: string,
): { en: string; km: string; lo: string } {
  const local = code && Object.hasOwn(ITEM_NAMES, code) ? ITEM_NAMES[code] : null;
  return { en: name, km: local?.km ?? name, lo: local?.lo ?? name };
}
