import type { EmailTemplate } from './email-template';

/**
 * Marketing: 180, 90 and 30 days before a lease or finance contract ends.
 * payload: { vehicle: { make, model, year }, termEndDate, purchaseType: 'lease'|'finance', daysBefore }.
 */
export const termEndTemplate: EmailTemplate = {
  kind: 'term_end',
  subject: {
    en: 'Your {{payload.vehicle.make}} {{payload.vehicle.model}} contract ends on {{date payload.termEndDate "long"}}',
    km: 'កិច្ចសន្យារថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នកនឹងបញ្ចប់នៅថ្ងៃទី {{date payload.termEndDate "long"}}',
    lo: 'ສັນຍາລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານຈະສິ້ນສຸດໃນວັນທີ {{date payload.termEndDate "long"}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>Your lease or finance contract for the {{payload.vehicle.year}} {{payload.vehicle.make}} {{payload.vehicle.model}} ends on <strong>{{date payload.termEndDate "long"}}</strong>.</p>
<p>Now is a good time to look at your options: keep the car, change to a newer model, or simply return it. Your salesperson will be glad to go through them with you — book a visit or reply to this email.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>កិច្ចសន្យាជួល ឬបង់រំលស់សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ឆ្នាំ {{payload.vehicle.year}} របស់អ្នកនឹងបញ្ចប់នៅថ្ងៃទី <strong>{{date payload.termEndDate "long"}}</strong>។</p>
<p>ឥឡូវនេះជាពេលល្អដើម្បីពិចារណាជម្រើសរបស់អ្នក៖ រក្សារថយន្តទុក ប្តូរទៅម៉ូដែលថ្មីជាងនេះ ឬប្រគល់វាវិញ។ អ្នកលក់របស់អ្នករីករាយពន្យល់ជម្រើសទាំងនេះជាមួយអ្នក — សូមកក់ពេលមកជួប ឬឆ្លើយតបអ៊ីមែលនេះ។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ສັນຍາເຊົ່າ ຫຼື ຜ່ອນຊຳລະສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ປີ {{payload.vehicle.year}} ຂອງທ່ານຈະສິ້ນສຸດໃນວັນທີ <strong>{{date payload.termEndDate "long"}}</strong>.</p>
<p>ຕອນນີ້ເປັນເວລາທີ່ດີທີ່ຈະພິຈາລະນາທາງເລືອກຂອງທ່ານ: ເກັບລົດໄວ້, ປ່ຽນເປັນລຸ້ນໃໝ່ກວ່າ, ຫຼື ສົ່ງຄືນ. ພະນັກງານຂາຍຂອງທ່ານຍິນດີອະທິບາຍໃຫ້ທ່ານ — ກະລຸນານັດໝາຍ ຫຼື ຕອບອີເມວນີ້.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

Your lease or finance contract for the {{payload.vehicle.year}} {{payload.vehicle.make}} {{payload.vehicle.model}} ends on {{date payload.termEndDate "long"}}.

Now is a good time to look at your options: keep the car, change to a newer model, or simply return it. Your salesperson will be glad to go through them with you — book a visit or reply to this email.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

កិច្ចសន្យាជួល ឬបង់រំលស់សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ឆ្នាំ {{payload.vehicle.year}} របស់អ្នកនឹងបញ្ចប់នៅថ្ងៃទី {{date payload.termEndDate "long"}}។

ឥឡូវនេះជាពេលល្អដើម្បីពិចារណាជម្រើសរបស់អ្នក៖ រក្សារថយន្តទុក ប្តូរទៅម៉ូដែលថ្មីជាងនេះ ឬប្រគល់វាវិញ។ អ្នកលក់របស់អ្នករីករាយពន្យល់ជម្រើសទាំងនេះជាមួយអ្នក — សូមកក់ពេលមកជួប ឬឆ្លើយតបអ៊ីមែលនេះ។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ສັນຍາເຊົ່າ ຫຼື ຜ່ອນຊຳລະສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ປີ {{payload.vehicle.year}} ຂອງທ່ານຈະສິ້ນສຸດໃນວັນທີ {{date payload.termEndDate "long"}}.

ຕອນນີ້ເປັນເວລາທີ່ດີທີ່ຈະພິຈາລະນາທາງເລືອກຂອງທ່ານ: ເກັບລົດໄວ້, ປ່ຽນເປັນລຸ້ນໃໝ່ກວ່າ, ຫຼື ສົ່ງຄືນ. ພະນັກງານຂາຍຂອງທ່ານຍິນດີອະທິບາຍໃຫ້ທ່ານ — ກະລຸນານັດໝາຍ ຫຼື ຕອບອີເມວນີ້.

ທີມງານ {{rooftop.name}}`,
  },
};
