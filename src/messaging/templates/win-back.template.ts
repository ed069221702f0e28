import type { EmailTemplate } from './email-template';

/** Marketing: no visit for 12 months (at most once a year). payload: { lastVisitDate }. */
export const winBackTemplate: EmailTemplate = {
  kind: 'win_back',
  subject: {
    en: 'We miss you at {{rooftop.name}}',
    km: 'យើងនឹកអ្នកនៅ {{rooftop.name}}',
    lo: 'ພວກເຮົາຄິດຮອດທ່ານທີ່ {{rooftop.name}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>It has been a while since we last saw you{{#if payload.lastVisitDate}} — your last visit was on {{date payload.lastVisitDate "long"}}{{/if}}. Regular care keeps your car safe, reliable and worth more when you sell it.</p>
<p>Book a visit whenever it suits you; our team will be happy to welcome you back.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>យូរហើយដែលយើងមិនបានជួបអ្នក{{#if payload.lastVisitDate}} — អ្នកមកចុងក្រោយនៅថ្ងៃទី {{date payload.lastVisitDate "long"}}{{/if}}។ ការថែទាំជាប្រចាំធ្វើឱ្យរថយន្តរបស់អ្នកមានសុវត្ថិភាព អាចទុកចិត្តបាន និងមានតម្លៃខ្ពស់ពេលលក់។</p>
<p>សូមកក់ពេលមកជួបនៅពេលណាដែលអ្នកស្រួល ក្រុមការងាររបស់យើងរីករាយស្វាគមន៍អ្នកវិញ។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ດົນແລ້ວທີ່ພວກເຮົາບໍ່ໄດ້ພົບທ່ານ{{#if payload.lastVisitDate}} — ທ່ານມາຄັ້ງສຸດທ້າຍໃນວັນທີ {{date payload.lastVisitDate "long"}}{{/if}}. ການບຳລຸງຮັກສາເປັນປະຈຳເຮັດໃຫ້ລົດຂອງທ່ານປອດໄພ, ເຊື່ອຖືໄດ້ ແລະ ມີມູນຄ່າສູງເມື່ອຂາຍ.</p>
<p>ກະລຸນານັດໝາຍເມື່ອທ່ານສະດວກ, ທີມງານຂອງພວກເຮົາຍິນດີຕ້ອນຮັບທ່ານກັບມາ.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

It has been a while since we last saw you{{#if payload.lastVisitDate}} — your last visit was on {{date payload.lastVisitDate "long"}}{{/if}}. Regular care keeps your car safe, reliable and worth more when you sell it.

Book a visit whenever it suits you; our team will be happy to welcome you back.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

យូរហើយដែលយើងមិនបានជួបអ្នក{{#if payload.lastVisitDate}} — អ្នកមកចុងក្រោយនៅថ្ងៃទី {{date payload.lastVisitDate "long"}}{{/if}}។ ការថែទាំជាប្រចាំធ្វើឱ្យរថយន្តរបស់អ្នកមានសុវត្ថិភាព អាចទុកចិត្តបាន និងមានតម្លៃខ្ពស់ពេលលក់។

សូមកក់ពេលមកជួបនៅពេលណាដែលអ្នកស្រួល ក្រុមការងាររបស់យើងរីករាយស្វាគមន៍អ្នកវិញ។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ດົນແລ້ວທີ່ພວກເຮົາບໍ່ໄດ້ພົບທ່ານ{{#if payload.lastVisitDate}} — ທ່ານມາຄັ້ງສຸດທ້າຍໃນວັນທີ {{date payload.lastVisitDate "long"}}{{/if}}. ການບຳລຸງຮັກສາເປັນປະຈຳເຮັດໃຫ້ລົດຂອງທ່ານປອດໄພ, ເຊື່ອຖືໄດ້ ແລະ ມີມູນຄ່າສູງເມື່ອຂາຍ.

ກະລຸນານັດໝາຍເມື່ອທ່ານສະດວກ, ທີມງານຂອງພວກເຮົາຍິນດີຕ້ອນຮັບທ່ານກັບມາ.

ທີມງານ {{rooftop.name}}`,
  },
};
