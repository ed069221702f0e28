import { LANGUAGES, type Language } from '../../../config/app-config';

/** What the bot says, and the opt-in wording shown beside the deep link, in the customer's language. */
interface TelegramTexts {
  /** Shown beside the deep link (emails, pages) and recorded as the consent's wording. */
  optIn: (rooftop: string) => string;
  /** The label of the deep link. */
  linkLabel: string;
  linked: (rooftop: string) => string;
  invalidLink: string;
  stopped: string;
  notLinked: string;
  hello: string;
}

const TEXTS: Record<Language, TelegramTexts> = {
  en: {
    optIn: (r) =>
      `I agree to receive service reminders, follow-ups and surveys from ${r} on Telegram. I can send /stop at any time.`,
    linkLabel: 'Get your reminders on Telegram',
    linked: (r) =>
      `You are connected. ${r} will send your service reminders, follow-ups and surveys here. Send /stop at any time to stop them.`,
    invalidLink: 'Sorry, this link is not valid or has expired. Please ask your dealership for a new one.',
    stopped:
      'You will no longer receive messages from us on Telegram. You can connect again with a new link from your dealership.',
    notLinked: 'This chat is not connected to a customer record, so there is nothing to stop.',
    hello:
      "Hello! To receive your service reminders here, open the Telegram link in your dealership's email or ask the service desk for the QR code.",
  },
  km: {
    optIn: (r) =>
      `ខ្ញុំយល់ព្រមទទួលការរំលឹកសេវាកម្ម ការតាមដាន និងការស្ទង់មតិពី ${r} តាម Telegram។ ខ្ញុំអាចផ្ញើ /stop នៅពេលណាក៏បាន។`,
    linkLabel: 'ទទួលការរំលឹករបស់អ្នកតាម Telegram',
    linked: (r) =>
      `អ្នកបានភ្ជាប់រួចរាល់ហើយ។ ${r} នឹងផ្ញើការរំលឹកសេវាកម្ម ការតាមដាន និងការស្ទង់មតិមកទីនេះ។ ផ្ញើ /stop នៅពេលណាក៏បាន ដើម្បីបញ្ឈប់។`,
    invalidLink: 'សូមអភ័យទោស តំណនេះមិនត្រឹមត្រូវ ឬផុតកំណត់ហើយ។ សូមស្នើសុំតំណថ្មីពីហាងលក់រថយន្តរបស់អ្នក។',
    stopped: 'អ្នកនឹងលែងទទួលសារពីយើងតាម Telegram ទៀតហើយ។ អ្នកអាចភ្ជាប់ម្តងទៀតដោយប្រើតំណថ្មីពីហាងលក់រថយន្តរបស់អ្នក។',
    notLinked: 'ការជជែកនេះមិនបានភ្ជាប់ជាមួយគណនីអតិថិជនណាមួយទេ ដូច្នេះគ្មានអ្វីត្រូវបញ្ឈប់ទេ។',
    hello: 'សួស្តី! ដើម្បីទទួលការរំលឹកសេវាកម្មនៅទីនេះ សូមបើកតំណ Telegram ក្នុងអ៊ីមែលពីហាងលក់រថយន្តរបស់អ្នក ឬសុំកូដ QR ពីផ្នែកសេវាកម្ម។',
  },
  lo: {
    optIn: (r) =>
      `ຂ້ອຍຍິນຍອມຮັບການແຈ້ງເຕືອນການບໍລິການ, ການຕິດຕາມ ແລະ ແບບສອບຖາມຈາກ ${r} ທາງ Telegram. ຂ້ອຍສາມາດສົ່ງ /stop ໄດ້ທຸກເວລາ.`,
    linkLabel: 'ຮັບການແຈ້ງເຕືອນຂອງທ່ານທາງ Telegram',
    linked: (r) =>
      `ທ່ານໄດ້ເຊື່ອມຕໍ່ແລ້ວ. ${r} ຈະສົ່ງການແຈ້ງເຕືອນການບໍລິການ, ການຕິດຕາມ ແລະ ແບບສອບຖາມມາທີ່ນີ້. ສົ່ງ /stop ໄດ້ທຸກເວລາເພື່ອຢຸດ.`,
    invalidLink: 'ຂໍອະໄພ, ລິ້ງນີ້ບໍ່ຖືກຕ້ອງ ຫຼື ໝົດອາຍຸແລ້ວ. ກະລຸນາຂໍລິ້ງໃໝ່ຈາກຮ້ານຂາຍລົດຂອງທ່ານ.',
    stopped: 'ທ່ານຈະບໍ່ໄດ້ຮັບຂໍ້ຄວາມຈາກພວກເຮົາທາງ Telegram ອີກຕໍ່ໄປ. ທ່ານສາມາດເຊື່ອມຕໍ່ໃໝ່ດ້ວຍລິ້ງໃໝ່ຈາກຮ້ານຂາຍລົດຂອງທ່ານ.',
    notLinked: 'ການສົນທະນານີ້ບໍ່ໄດ້ເຊື່ອມຕໍ່ກັບບັນຊີລູກຄ້າໃດໆ, ສະນັ້ນບໍ່ມີຫຍັງຕ້ອງຢຸດ.',
    hello:
      'ສະບາຍດີ! ເພື່ອຮັບການແຈ້ງເຕືອນການບໍລິການຢູ່ທີ່ນີ້, ກະລຸນາເປີດລິ້ງ Telegram ໃນອີເມວຈາກຮ້ານຂາຍລົດຂອງທ່ານ ຫຼື ຂໍລະຫັດ QR ຈາກພະແນກບໍລິການ.',
  },
};

export function telegramTexts(language: string | null | undefined): TelegramTexts {
  return TEXTS[toLanguage(language)];
}

/** A customer's language, or a Telegram user's `language_code` ("km", "lo-LA"), as one we speak; else English. */
export function toLanguage(code: string | null | undefined): Language {
  const base = (code ?? '').toLowerCase().split(/[-_]/, 1)[0];
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : 'en';
}
