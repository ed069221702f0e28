import type { ShortTextTemplate } from './short-text';

/** An appointment's link moves or cancels it. */
const CHANGE = {
  cta: { en: 'Change or cancel:', km: 'ប្តូរ៖', lo: 'ປ່ຽນ:' },
  button: { en: 'Change or cancel', km: 'ប្តូរ ឬបោះបង់', lo: 'ປ່ຽນ ຫຼື ຍົກເລີກ' },
};

/**
 * The short form of every customer-facing message kind, for SMS and Telegram (SPEC "Short texts"). Each text,
 * with its link, fits two SMS parts for a 20-character first name, a 25-character rooftop name, a 12-character
 * model and the longest short link (short-texts.spec.ts checks every kind and language). English stays in the
 * GSM-7 alphabet (no curly quotes or dashes: one such character turns the whole text into UCS-2, 134 units for
 * two parts instead of 306); Khmer and Lao are UCS-2, so they say the essential only and leave out the vehicle
 * where the date matters more (appointments).
 */
// prettier-ignore
export const SHORT_TEXTS: ShortTextTemplate[] = [
  {
    kind: 'transactional',
    link: 'none',
    text: {
      en: '{{rooftop.name}}: Hello {{customer.firstName}}. {{payload.message}}{{#if payload.date}} ({{when payload.date}}){{/if}}',
      km: '{{rooftop.name}}៖ ជូនចំពោះ {{customer.firstName}}៖ {{payload.message}}{{#if payload.date}} ({{when payload.date}}){{/if}}',
      lo: '{{rooftop.name}}: ຮຽນ {{customer.firstName}}: {{payload.message}}{{#if payload.date}} ({{when payload.date}}){{/if}}',
    },
  },
  {
    kind: 'service_reminder',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} is due for maintenance soon.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} រថយន្ត{{#if vehicle}} {{vehicle}}{{/if}} របស់អ្នកដល់ពេលថែទាំ។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ຮອດກຳນົດບຳລຸງຮັກສາ.',
    },
  },
  {
    kind: 'declined_service',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, the work we recommended for your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} is still to be done. Shall we book it?',
      km: '{{rooftop.name}}៖ {{customer.firstName}} ការងារណែនាំលើ{{#if vehicle}} {{vehicle}}{{/if}}{{#unless vehicle}}រថយន្ត{{/unless}} មិនទាន់ធ្វើ។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ວຽກແນະນຳຂອງ{{#if vehicle}} {{vehicle}}{{else}}ລົດ{{/if}} ຍັງບໍ່ໄດ້ເຮັດ.',
    },
  },
  {
    kind: 'warranty_expiring',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, the warranty on your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} ends {{#if payload.warrantyEndDate}}on {{day payload.warrantyEndDate}}{{else}}soon{{/if}}. Book a check before it does.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} ការធានា{{#if vehicle}} {{vehicle}}{{else}}រថយន្ត{{/if}} ផុត{{#if payload.warrantyEndDate}}នៅ {{day payload.warrantyEndDate}}{{else}}ឆាប់ៗ{{/if}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ປະກັນລົດ{{#if vehicle}} {{vehicle}}{{/if}} ຈະໝົດ{{#if payload.warrantyEndDate}} {{day payload.warrantyEndDate}}{{else}}ໄວໆນີ້{{/if}}.',
    },
  },
  {
    kind: 'sale_thank_you',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Thank you, {{customer.firstName}}, for choosing us for your new {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}}. Enjoy every drive!',
      km: '{{rooftop.name}}៖ សូមអរគុណ {{customer.firstName}} ដែលបានទិញ{{#if vehicle}} {{vehicle}}{{else}}រថយន្ត{{/if}} ពីយើង!',
      lo: '{{rooftop.name}}: ຂອບໃຈ {{customer.firstName}} ທີ່ຊື້ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ກັບພວກເຮົາ!',
    },
  },
  {
    kind: 'sale_check_in',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Hello {{customer.firstName}}, how is your new {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} after a month? We are here if you need anything.',
      km: '{{rooftop.name}}៖ សួស្តី {{customer.firstName}}{{#if vehicle}} {{vehicle}}{{else}} រថយន្ត{{/if}} ថ្មីរបស់អ្នកល្អទេ?',
      lo: '{{rooftop.name}}: ສະບາຍດີ {{customer.firstName}}, ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ໃໝ່ເປັນແນວໃດ?',
    },
  },
  {
    kind: 'purchase_anniversary',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} has been with you for {{payload.years}} {{#if (eq payload.years 1)}}year{{else}}years{{/if}} today. Thank you for your trust!',
      km: '{{rooftop.name}}៖ {{customer.firstName}} {{#if vehicle}}{{vehicle}}{{else}}រថយន្ត{{/if}} នៅជាមួយអ្នក {{payload.years}} ឆ្នាំ។ អរគុណ!',
      lo: '{{rooftop.name}}: {{customer.firstName}}, {{#if vehicle}}{{vehicle}}{{else}}ລົດ{{/if}} ຢູ່ກັບທ່ານ {{payload.years}} ປີ. ຂອບໃຈ!',
    },
  },
  {
    kind: 'term_end',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, the {{#if (eq payload.purchaseType "lease")}}lease{{else}}finance{{/if}} of your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} ends on {{day payload.termEndDate}}. Let us talk about your options.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} កិច្ចសន្យា{{#if vehicle}} {{vehicle}}{{/if}} ផុត {{day payload.termEndDate}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ສັນຍາລົດ{{#if vehicle}} {{vehicle}}{{/if}} ໝົດ {{day payload.termEndDate}}.',
    },
  },
  {
    kind: 'win_back',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, we have missed you! Your car is welcome back for a check-up any time.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} យើងនឹកអ្នក! សូមអញ្ជើញមកពិនិត្យរថយន្ត។',
      lo: '{{rooftop.name}}: ຮຽນ {{customer.firstName}}, ພວກເຮົາຄິດຮອດທ່ານ! ເຊີນນຳລົດມາກວດ.',
    },
  },
  {
    kind: 'birthday',
    link: 'unsubscribe',
    text: {
      en: '{{rooftop.name}}: Happy birthday, {{customer.firstName}}! We wish you a wonderful year and safe travels.',
      km: '{{rooftop.name}}៖ រីករាយថ្ងៃកំណើត {{customer.firstName}}! សូមឱ្យមានសុខភាពល្អ។',
      lo: '{{rooftop.name}}: ສຸກສັນວັນເກີດ {{customer.firstName}}! ຂໍໃຫ້ມີສຸຂະພາບແຂງແຮງ.',
    },
  },
  {
    kind: 'loyalty_tier_up',
    link: 'none',
    text: {
      en: '{{rooftop.name}}: Congratulations, {{customer.firstName}}! You are now a {{payload.tierName.en}} member, with {{number payload.balance}} points.',
      km: '{{rooftop.name}}៖ សូមអបអរ {{customer.firstName}}! អ្នកជាសមាជិក {{payload.tierName.km}} ហើយ មានពិន្ទុ {{number payload.balance}}។',
      lo: '{{rooftop.name}}: ຂໍສະແດງຄວາມຍິນດີ {{customer.firstName}}! ທ່ານເປັນສະມາຊິກ {{payload.tierName.lo}} ແລ້ວ, ມີ {{number payload.balance}} ຄະແນນ.',
    },
  },
  {
    kind: 'survey_invitation',
    link: 'survey',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, how did we do with {{#if payload.isService}}the service of {{/if}}your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}}? Two minutes, three questions.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} តើសេវាសម្រាប់{{#if vehicle}} {{vehicle}}{{else}}អ្នក{{/if}} ល្អទេ?',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ບໍລິການ{{#if vehicle}}ລົດ {{vehicle}}{{/if}} ເປັນແນວໃດ?',
    },
  },
  {
    kind: 'appointment_confirmation',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your service {{#if (eq payload.change "rescheduled")}}is moved to{{else}}is booked for{{/if}} {{when payload.slotStart}}{{#if vehicle}} ({{vehicle}}){{/if}}. See you then!',
      km: '{{rooftop.name}}៖ {{customer.firstName}} បានណាត់ថែទាំនៅ {{when payload.slotStart}}។ អរគុណ!',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ນັດບໍລິການວັນ {{when payload.slotStart}} ແລ້ວ. ຂອບໃຈ!',
    },
    ...CHANGE,
  },
  {
    kind: 'appointment_reminder',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, a reminder of your service appointment on {{when payload.slotStart}}{{#if vehicle}} for your {{vehicle}}{{/if}}.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} សូមរំលឹកការណាត់ថែទាំនៅ {{when payload.slotStart}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ແຈ້ງເຕືອນນັດບໍລິການວັນ {{when payload.slotStart}}.',
    },
    ...CHANGE,
  },
  {
    kind: 'appointment_cancelled',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your service appointment of {{when payload.slotStart}} is cancelled. Book another time whenever it suits you.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} ការណាត់នៅ {{when payload.slotStart}} ត្រូវបានបោះបង់។',
      lo: '{{rooftop.name}}: ຮຽນ {{customer.firstName}}, ນັດວັນ {{when payload.slotStart}} ຖືກຍົກເລີກແລ້ວ.',
    },
  },
  {
    kind: 'appointment_no_show',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, we missed you at your appointment on {{when payload.slotStart}}. Book another time that suits you.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} យើងមិនបានជួបអ្នកនៅ {{when payload.slotStart}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ພວກເຮົາບໍ່ໄດ້ພົບທ່ານວັນ {{when payload.slotStart}}.',
    },
  },
];
