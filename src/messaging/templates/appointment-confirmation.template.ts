import type { EmailTemplate, Localized } from './email-template';

/**
 * How to move or cancel: the invitation (when attached), then the link below, the rooftop's phone, or a reply —
 * whichever the message has (a rooftop's phone is optional, and a booking link may be missing).
 */
const CHANGE: Localized = {
  en: '{{#if payload.calendar}}The attached invitation adds the appointment to your calendar. {{/if}}To move or cancel it, {{#if links.booking}}use the link below{{#if rooftop.phone}} or call us on {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}call us on {{rooftop.phone}}{{else}}reply to this email{{/if}}.',
  km: '{{#if payload.calendar}}ឯកសារភ្ជាប់នឹងបន្ថែមការណាត់នេះទៅក្នុងប្រតិទិនរបស់អ្នក។ {{/if}}ដើម្បីប្តូរ ឬបោះបង់ {{#if links.booking}}សូមប្រើតំណខាងក្រោម{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}សូមទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}{{else}}សូមឆ្លើយតបអ៊ីមែលនេះ{{/if}}។',
  lo: '{{#if payload.calendar}}ໄຟລ໌ແນບຈະເພີ່ມການນັດໝາຍນີ້ເຂົ້າໃນປະຕິທິນຂອງທ່ານ. {{/if}}ເພື່ອປ່ຽນ ຫຼື ຍົກເລີກ, {{#if links.booking}}ໃຊ້ລິ້ງຂ້າງລຸ່ມ{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}{{else}}ກະລຸນາຕອບອີເມວນີ້{{/if}}.',
};

/**
 * Service appointments (src/appointments): the confirmation of a booking or a move, with the calendar invite
 * attached by the dispatcher. payload: { appointmentId, change: 'booked' | 'rescheduled', slotStart, slotEnd,
 * vehicle: { make, model } | null, items: [{ itemCode, names: { en, km, lo } }], calendar }.
 */
export const appointmentConfirmationTemplate: EmailTemplate = {
  kind: 'appointment_confirmation',
  bookingButton: 'manage',
  subject: {
    en: '{{#if payload.rescheduled}}Your service appointment has moved{{else}}Your service appointment is booked{{/if}}: {{date payload.slotStart "datetime"}}',
    km: '{{#if payload.rescheduled}}ការណាត់ថែទាំរបស់អ្នកត្រូវបានប្តូរ{{else}}ការណាត់ថែទាំរបស់អ្នកត្រូវបានកក់{{/if}}៖ {{date payload.slotStart "datetime"}}',
    lo: '{{#if payload.rescheduled}}ການນັດໝາຍບໍລິການຂອງທ່ານຖືກປ່ຽນແລ້ວ{{else}}ການນັດໝາຍບໍລິການຂອງທ່ານຖືກຈອງແລ້ວ{{/if}}: {{date payload.slotStart "datetime"}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>We expect you at {{rooftop.name}} on <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} with your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}.</p>
{{#if payload.items.length}}<ul>{{#each payload.items}}<li>{{this.names.en}}</li>{{/each}}</ul>{{/if}}
<p>${CHANGE.en}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>យើងរង់ចាំអ្នកនៅ {{rooftop.name}} នៅ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} ជាមួយរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។</p>
{{#if payload.items.length}}<ul>{{#each payload.items}}<li>{{this.names.km}}</li>{{/each}}</ul>{{/if}}
<p>${CHANGE.km}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ພວກເຮົາລໍຖ້າທ່ານທີ່ {{rooftop.name}} ໃນ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} ພ້ອມລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}.</p>
{{#if payload.items.length}}<ul>{{#each payload.items}}<li>{{this.names.lo}}</li>{{/each}}</ul>{{/if}}
<p>${CHANGE.lo}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

We expect you at {{rooftop.name}} on {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} with your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}.
{{#each payload.items}}
- {{this.names.en}}{{/each}}

${CHANGE.en}`,
    km: `ជូនចំពោះ {{customer.firstName}}

យើងរង់ចាំអ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} ជាមួយរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។
{{#each payload.items}}
- {{this.names.km}}{{/each}}

${CHANGE.km}`,
    lo: `ຮຽນ {{customer.firstName}}

ພວກເຮົາລໍຖ້າທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} ພ້ອມລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}.
{{#each payload.items}}
- {{this.names.lo}}{{/each}}

${CHANGE.lo}`,
  },
};
