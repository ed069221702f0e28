/**
 * Khmer and Lao names of the default maintenance items and of the reminder stages, so that the service reminder
 * digest reads naturally in the customer's language. Items added to the catalogue later fall back to their
 * (English) catalogue name. Looked up when the digest is rendered (withReminderLabels), not stored in it.
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

export const STAGE_LABELS: Record<'due_soon' | 'due' | 'overdue', { en: string; km: string; lo: string }> = {
  due_soon: { en: 'due soon', km: 'ជិតដល់ពេលហើយ', lo: 'ໃກ້ຮອດກຳນົດ' },
  due: { en: 'due now', km: 'ដល់ពេលហើយ', lo: 'ຮອດກຳນົດແລ້ວ' },
  overdue: { en: 'overdue', km: 'ហួសពេលកំណត់ហើយ', lo: 'ກາຍກຳນົດແລ້ວ' },
};

interface StoredItem {
  itemCode?: string;
  itemName?: string;
  stage?: string;
  itemNames?: unknown;
  stageLabels?: unknown;
}

/**
 * The digest payload as the template reads it: each item with `itemNames` (the catalogue name stored as
 * `itemName`, and its Khmer and Lao names) and `stageLabels` (en, km, lo). The planner stores neither; a digest
 * written by an earlier version stored both, and keeps its own.
 */
export function withReminderLabels(stored: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(stored.items)) return stored;
  const items = (stored.items as StoredItem[]).map((item) => {
    const name = item.itemName ?? item.itemCode ?? '';
    const local =
      item.itemCode && Object.hasOwn(ITEM_NAMES, item.itemCode) ? ITEM_NAMES[item.itemCode] : null;
    const stage = item.stage && Object.hasOwn(STAGE_LABELS, item.stage) ? item.stage : null;
    return {
      ...item,
      itemNames: item.itemNames ?? { en: name, km: local?.km ?? name, lo: local?.lo ?? name },
      stageLabels: item.stageLabels ?? (stage ? STAGE_LABELS[stage as keyof typeof STAGE_LABELS] : undefined),
    };
  });
  return { ...stored, items };
}
