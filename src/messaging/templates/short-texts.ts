import type { ShortTextTemplate } from './short-text';

/**
 * The short form of every customer-facing message kind, for SMS and Telegram (SPEC "Short texts"). Each text,
 * with its link, fits two SMS parts for a 20-character first name, a 25-character rooftop name and the longest
 * short link (short-texts.spec.ts checks every kind and language). English stays in the GSM-7 alphabet (no
 * curly quotes or dashes: one such character turns the whole text into UCS-2); Khmer and Lao are UCS-2, 134
 * units for two parts, so they say the essential only.
 */
// prettier-ignore
export const SHORT_TEXTS: ShortTextTemplate[] = [
  {
    kind: 'transactional',
    link: 'none',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, {{payload.message}}{{#if payload.date}} ({{when payload.date}}){{/if}}',
      km: '{{rooftop.name}}៖ ជូនចំពោះ {{customer.firstName}} {{payload.message}}{{#if payload.date}} ({{when payload.date}}){{/if}}',
      lo: '{{rooftop.name}}: ຮຽນ {{customer.firstName}}, {{payload.message}}{{#if payload.date}} ({{when payload.date}}){{/if}}',
    },
  },
  {
    kind: 'service_reminder',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} is due for maintenance soon.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} រថយន្ត{{#if vehicle}} {{vehicle}}{{/if}} ដល់ពេលថែទាំ។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ຂອງທ່ານຮອດກຳນົດບຳລຸງຮັກສາ.',
    },
  },
  {
    kind: 'declined_service',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, the work we recommended for your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} is still to be done. Shall we book it?',
      km: '{{rooftop.name}}៖ {{customer.firstName}} ការងារណែនាំសម្រាប់{{#if vehicle}} {{vehicle}}{{else}}រថយន្ត{{/if}} មិនទាន់ធ្វើ។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ວຽກທີ່ແນະນຳສຳລັບລົດ{{#if vehicle}} {{vehicle}}{{/if}} ຍັງບໍ່ທັນເຮັດ.',
    },
  },
  {
    kind: 'warranty_expiring',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, the warranty on your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} ends {{#if payload.warrantyEndDate}}on {{day payload.warrantyEndDate}}{{else}}soon{{/if}}. Book a check before it does.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} ការធានា{{#if vehicle}} {{vehicle}}{{/if}} ផុត{{#if payload.warrantyEndDate}} {{day payload.warrantyEndDate}}{{else}}ឆាប់ៗ{{/if}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ປະກັນລົດ{{#if vehicle}} {{vehicle}}{{/if}} ຈະໝົດ{{#if payload.warrantyEndDate}} {{day payload.warrantyEndDate}}{{else}}ໄວໆນີ້{{/if}}.',
    },
  },
  {
    kind: 'sale_thank_you',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Thank you, {{customer.firstName}}, for choosing us for your new {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}}. Enjoy every drive!',
      km: '{{rooftop.name}}៖ អរគុណ {{customer.firstName}} ដែលទិញ{{#if vehicle}} {{vehicle}}{{else}}រថយន្ត{{/if}} ពីយើង!',
      lo: '{{rooftop.name}}: ຂອບໃຈ {{customer.firstName}} ທີ່ຊື້ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ກັບພວກເຮົາ!',
    },
  },
  {
    kind: 'sale_check_in',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Hello {{customer.firstName}}, how is your new {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} after a month? We are here if you need anything.',
      km: '{{rooftop.name}}៖ សួស្តី {{customer.firstName}} រថយន្ត{{#if vehicle}} {{vehicle}}{{/if}} ល្អទេ?',
      lo: '{{rooftop.name}}: ສະບາຍດີ {{customer.firstName}}, ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ໃໝ່ເປັນແນວໃດ?',
    },
  },
  {
    kind: 'purchase_anniversary',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}} has been with you for {{payload.years}} year(s) today. Thank you for your trust!',
      km: '{{rooftop.name}}៖ {{customer.firstName}} រថយន្ត{{#if vehicle}} {{vehicle}}{{/if}} នៅជាមួយអ្នក {{payload.years}} ឆ្នាំហើយ!',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ລົດ{{#if vehicle}} {{vehicle}}{{/if}} ຢູ່ກັບທ່ານຄົບ {{payload.years}} ປີແລ້ວ!',
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
      km: '{{rooftop.name}}៖ {{customer.firstName}} យើងនឹកអ្នក! សូមអញ្ជើញមកពិនិត្យរថយន្តពេលណាក៏បាន។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ພວກເຮົາຄິດຮອດທ່ານ! ເຊີນນຳລົດມາກວດໄດ້ທຸກເວລາ.',
    },
  },
  {
    kind: 'birthday',
    link: 'unsubscribe',
    text: {
      en: '{{rooftop.name}}: Happy birthday, {{customer.firstName}}! We wish you a wonderful year and safe travels.',
      km: '{{rooftop.name}}៖ រីករាយថ្ងៃកំណើត {{customer.firstName}}! សូមជូនពរឱ្យមានសុខភាពល្អ និងធ្វើដំណើរដោយសុវត្ថិភាព។',
      lo: '{{rooftop.name}}: ສຸກສັນວັນເກີດ {{customer.firstName}}! ຂໍໃຫ້ມີສຸຂະພາບແຂງແຮງ ແລະ ເດີນທາງປອດໄພ.',
    },
  },
  {
    kind: 'loyalty_tier_up',
    link: 'none',
    text: {
      en: '{{rooftop.name}}: Congratulations, {{customer.firstName}}! You are now a {{payload.tierName.en}} member, with {{payload.balance}} points.',
      km: '{{rooftop.name}}៖ សូមអបអរ {{customer.firstName}}! អ្នកជាសមាជិក {{payload.tierName.km}} ហើយ មានពិន្ទុ {{payload.balance}}។',
      lo: '{{rooftop.name}}: ຂໍສະແດງຄວາມຍິນດີ {{customer.firstName}}! ທ່ານເປັນສະມາຊິກ {{payload.tierName.lo}} ແລ້ວ, ມີ {{payload.balance}} ຄະແນນ.',
    },
  },
  {
    kind: 'survey_invitation',
    link: 'survey',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, how did we do with {{#if payload.isService}}the service of{{/if}} your {{#if vehicle}}{{vehicle}}{{else}}vehicle{{/if}}? Two minutes, three questions.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} តើយើងបម្រើអ្នកបានល្អទេ? សូមឆ្លើយសំណួរបី។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ພວກເຮົາບໍລິການທ່ານດີບໍ່? ຂໍ 2 ນາທີ.',
    },
  },
  {
    kind: 'appointment_confirmation',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your service {{#if (eq payload.change "rescheduled")}}is moved to{{else}}is booked for{{/if}} {{when payload.slotStart}}{{#if vehicle}} ({{vehicle}}){{/if}}. See you then!',
      km: '{{rooftop.name}}៖ {{customer.firstName}} បានណាត់ថែទាំ {{when payload.slotStart}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ນັດບໍລິການ {{when payload.slotStart}} ແລ້ວ.',
    },
    cta: { en: 'Change or cancel:', km: 'ប្តូរ៖', lo: 'ປ່ຽນ:' },
    button: { en: 'Change or cancel', km: 'ប្តូរ ឬបោះបង់', lo: 'ປ່ຽນ ຫຼື ຍົກເລີກ' },
  },
  {
    kind: 'appointment_reminder',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, a reminder of your service appointment on {{when payload.slotStart}}{{#if vehicle}} for your {{vehicle}}{{/if}}.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} សូមរំលឹកការណាត់ {{when payload.slotStart}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ແຈ້ງເຕືອນນັດ {{when payload.slotStart}}.',
    },
    cta: { en: 'Change or cancel:', km: 'ប្តូរ៖', lo: 'ປ່ຽນ:' },
    button: { en: 'Change or cancel', km: 'ប្តូរ ឬបោះបង់', lo: 'ປ່ຽນ ຫຼື ຍົກເລີກ' },
  },
  {
    kind: 'appointment_cancelled',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, your service appointment of {{when payload.slotStart}} is cancelled. Book another time whenever it suits you.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} ការណាត់ {{when payload.slotStart}} ត្រូវបានបោះបង់។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ນັດ {{when payload.slotStart}} ຖືກຍົກເລີກແລ້ວ.',
    },
  },
  {
    kind: 'appointment_no_show',
    link: 'booking',
    text: {
      en: '{{rooftop.name}}: Dear {{customer.firstName}}, we missed you at your appointment on {{when payload.slotStart}}. Book another time that suits you.',
      km: '{{rooftop.name}}៖ {{customer.firstName}} យើងមិនបានជួបអ្នក {{when payload.slotStart}}។',
      lo: '{{rooftop.name}}: {{customer.firstName}}, ພວກເຮົາບໍ່ໄດ້ພົບທ່ານ {{when payload.slotStart}}.',
    },
  },
];
