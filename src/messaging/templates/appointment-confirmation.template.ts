import type { EmailTemplate } from './email-template';

/**
 * Service appointments (src/appointments): the confirmation of a booking or a move, with the calendar invite
 * attached by the dispatcher. payload: { appointmentId, change: 'booked' | 'rescheduled', slotStart, slotEnd,
 * vehicle: { make, model } | null, items: [{ itemCode, names: { en, km, lo } }], calendar }.
 */
export const appointmentConfirmationTemplate: EmailTemplate = {
  kind: 'appointment_confirmation',
  subject: {
    en: '{{#if payload.rescheduled}}Your service appointment has moved{{else}}Your service appointment is booked{{/if}}: {{date payload.slotStart "datetime"}}',
    km: '{{#if payload.rescheduled}}ការណាត់ថែទាំរបស់អ្នកត្រូវបានប្តូរ{{else}}ការណាត់ថែទាំរបស់អ្នកត្រូវបានកក់{{/if}}៖ {{date payload.slotStart "datetime"}}',
    lo: '{{#if payload.rescheduled}}ການນັດໝາຍບໍລິການຂອງທ່ານຖືກປ່ຽນແລ້ວ{{else}}ການນັດໝາຍບໍລິການຂອງທ່ານຖືກຈອງແລ້ວ{{/if}}: {{date payload.slotStart "datetime"}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>We expect you at {{rooftop.name}} on <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} with your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}.</p>
{{#if payload.items.length}}<ul>{{#each payload.items}}<li>{{this.names.en}}</li>{{/each}}</ul>{{/if}}
<p>The attached invitation adds the appointment to your calendar. To move or cancel it, use the link below or call us on {{rooftop.phone}}.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>យើងរង់ចាំអ្នកនៅ {{rooftop.name}} នៅ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} ជាមួយរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។</p>
{{#if payload.items.length}}<ul>{{#each payload.items}}<li>{{this.names.km}}</li>{{/each}}</ul>{{/if}}
<p>ឯកសារភ្ជាប់នឹងបន្ថែមការណាត់នេះទៅក្នុងប្រតិទិនរបស់អ្នក។ ដើម្បីប្តូរ ឬបោះបង់ សូមប្រើតំណខាងក្រោម ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ພວກເຮົາລໍຖ້າທ່ານທີ່ {{rooftop.name}} ໃນ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} ພ້ອມລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}.</p>
{{#if payload.items.length}}<ul>{{#each payload.items}}<li>{{this.names.lo}}</li>{{/each}}</ul>{{/if}}
<p>ໄຟລ໌ແນບຈະເພີ່ມການນັດໝາຍນີ້ເຂົ້າໃນປະຕິທິນຂອງທ່ານ. ເພື່ອປ່ຽນ ຫຼື ຍົກເລີກ, ໃຊ້ລິ້ງຂ້າງລຸ່ມ ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

We expect you at {{rooftop.name}} on {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} with your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}.
{{#each payload.items}}
- {{this.names.en}}{{/each}}

The attached invitation adds the appointment to your calendar. To move or cancel it, use the link below or call us on {{rooftop.phone}}.`,
    km: `ជូនចំពោះ {{customer.firstName}}

យើងរង់ចាំអ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} ជាមួយរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។
{{#each payload.items}}
- {{this.names.km}}{{/each}}

ឯកសារភ្ជាប់នឹងបន្ថែមការណាត់នេះទៅក្នុងប្រតិទិនរបស់អ្នក។ ដើម្បីប្តូរ ឬបោះបង់ សូមប្រើតំណខាងក្រោម ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។`,
    lo: `ຮຽນ {{customer.firstName}}

ພວກເຮົາລໍຖ້າທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} ພ້ອມລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}.
{{#each payload.items}}
- {{this.names.lo}}{{/each}}

ໄຟລ໌ແນບຈະເພີ່ມການນັດໝາຍນີ້ເຂົ້າໃນປະຕິທິນຂອງທ່ານ. ເພື່ອປ່ຽນ ຫຼື ຍົກເລີກ, ໃຊ້ລິ້ງຂ້າງລຸ່ມ ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.`,
  },
};
