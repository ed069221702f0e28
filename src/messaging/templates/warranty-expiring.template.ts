import type { EmailTemplate } from './email-template';

/**
 * Service reminder: the factory warranty ends within 60 days or within 2,000 km (projected).
 * payload: { vehicle: { make, model, year }, warrantyEndDate?, warrantyEndDistance?, projectedOdometer }.
 */
export const warrantyExpiringTemplate: EmailTemplate = {
  kind: 'warranty_expiring',
  subject: {
    en: 'Your {{payload.vehicle.make}} {{payload.vehicle.model}} warranty is ending soon',
    km: 'ការធានារថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នកជិតផុតកំណត់ហើយ',
    lo: 'ການຮັບປະກັນລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານໃກ້ຈະໝົດແລ້ວ',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>The warranty on your {{payload.vehicle.year}} {{payload.vehicle.make}} {{payload.vehicle.model}} ends {{#if payload.warrantyEndDate}}on <strong>{{date payload.warrantyEndDate "long"}}</strong>{{/if}}{{#if payload.warrantyEndDate}}{{#if payload.warrantyEndDistance}} or {{/if}}{{/if}}{{#if payload.warrantyEndDistance}}at <strong>{{distance payload.warrantyEndDistance}}</strong>{{/if}}, whichever comes first.</p>
<p>Book a check-up before then: anything we find that is covered will be repaired at no cost to you.</p>
<p>The service team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>ការធានាលើរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ឆ្នាំ {{payload.vehicle.year}} របស់អ្នកនឹងផុតកំណត់{{#if payload.warrantyEndDate}} នៅថ្ងៃទី <strong>{{date payload.warrantyEndDate "long"}}</strong>{{/if}}{{#if payload.warrantyEndDate}}{{#if payload.warrantyEndDistance}} ឬ{{/if}}{{/if}}{{#if payload.warrantyEndDistance}} នៅចម្ងាយ <strong>{{distance payload.warrantyEndDistance}}</strong>{{/if}} អាស្រ័យលើមួយណាមកដល់មុន។</p>
<p>សូមកក់ពេលត្រួតពិនិត្យមុនថ្ងៃនោះ៖ បញ្ហាណាដែលស្ថិតក្នុងការធានា នឹងត្រូវជួសជុលដោយឥតគិតថ្លៃ។</p>
<p>ក្រុមសេវាកម្ម {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ການຮັບປະກັນລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ປີ {{payload.vehicle.year}} ຂອງທ່ານຈະໝົດ{{#if payload.warrantyEndDate}} ໃນວັນທີ <strong>{{date payload.warrantyEndDate "long"}}</strong>{{/if}}{{#if payload.warrantyEndDate}}{{#if payload.warrantyEndDistance}} ຫຼື{{/if}}{{/if}}{{#if payload.warrantyEndDistance}} ທີ່ໄລຍະທາງ <strong>{{distance payload.warrantyEndDistance}}</strong>{{/if}} ແລ້ວແຕ່ອັນໃດມາເຖິງກ່ອນ.</p>
<p>ກະລຸນານັດໝາຍກວດເຊັກກ່ອນນັ້ນ: ບັນຫາໃດທີ່ຢູ່ໃນການຮັບປະກັນ ຈະໄດ້ຮັບການສ້ອມແປງໂດຍບໍ່ເສຍຄ່າ.</p>
<p>ທີມບໍລິການ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

The warranty on your {{payload.vehicle.year}} {{payload.vehicle.make}} {{payload.vehicle.model}} ends {{#if payload.warrantyEndDate}}on {{date payload.warrantyEndDate "long"}}{{/if}}{{#if payload.warrantyEndDate}}{{#if payload.warrantyEndDistance}} or {{/if}}{{/if}}{{#if payload.warrantyEndDistance}}at {{distance payload.warrantyEndDistance}}{{/if}}, whichever comes first.

Book a check-up before then: anything we find that is covered will be repaired at no cost to you.

The service team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

ការធានាលើរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ឆ្នាំ {{payload.vehicle.year}} របស់អ្នកនឹងផុតកំណត់{{#if payload.warrantyEndDate}} នៅថ្ងៃទី {{date payload.warrantyEndDate "long"}}{{/if}}{{#if payload.warrantyEndDate}}{{#if payload.warrantyEndDistance}} ឬ{{/if}}{{/if}}{{#if payload.warrantyEndDistance}} នៅចម្ងាយ {{distance payload.warrantyEndDistance}}{{/if}} អាស្រ័យលើមួយណាមកដល់មុន។

សូមកក់ពេលត្រួតពិនិត្យមុនថ្ងៃនោះ៖ បញ្ហាណាដែលស្ថិតក្នុងការធានា នឹងត្រូវជួសជុលដោយឥតគិតថ្លៃ។

ក្រុមសេវាកម្ម {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ການຮັບປະກັນລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ປີ {{payload.vehicle.year}} ຂອງທ່ານຈະໝົດ{{#if payload.warrantyEndDate}} ໃນວັນທີ {{date payload.warrantyEndDate "long"}}{{/if}}{{#if payload.warrantyEndDate}}{{#if payload.warrantyEndDistance}} ຫຼື{{/if}}{{/if}}{{#if payload.warrantyEndDistance}} ທີ່ໄລຍະທາງ {{distance payload.warrantyEndDistance}}{{/if}} ແລ້ວແຕ່ອັນໃດມາເຖິງກ່ອນ.

ກະລຸນານັດໝາຍກວດເຊັກກ່ອນນັ້ນ: ບັນຫາໃດທີ່ຢູ່ໃນການຮັບປະກັນ ຈະໄດ້ຮັບການສ້ອມແປງໂດຍບໍ່ເສຍຄ່າ.

ທີມບໍລິການ {{rooftop.name}}`,
  },
};
