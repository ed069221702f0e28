import type { EmailTemplate } from './email-template';

/**
 * Service appointments (src/appointments): the cancellation (with the CANCEL invite), the reminders the day
 * before and two hours before (payload.stage), and the no-show follow-up with a link to book again.
 * payload: { appointmentId, slotStart, slotEnd, vehicle: { make, model } | null, items: [{ itemCode, names }] }.
 */
export const appointmentCancelledTemplate: EmailTemplate = {
  kind: 'appointment_cancelled',
  subject: {
    en: 'Your service appointment of {{date payload.slotStart "datetime"}} is cancelled',
    km: 'ការណាត់ថែទាំរបស់អ្នកនៅ {{date payload.slotStart "datetime"}} ត្រូវបានបោះបង់',
    lo: 'ການນັດໝາຍບໍລິການຂອງທ່ານໃນ {{date payload.slotStart "datetime"}} ຖືກຍົກເລີກແລ້ວ',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p><p>Your appointment at {{rooftop.name}} on {{date payload.slotStart "datetime"}} is cancelled. Book another time with the link below whenever it suits you.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p><p>ការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}} ត្រូវបានបោះបង់។ សូមកក់ពេលផ្សេងតាមតំណខាងក្រោម នៅពេលដែលអ្នកសមស្រប។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p><p>ການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}} ຖືກຍົກເລີກແລ້ວ. ນັດໝາຍເວລາອື່ນດ້ວຍລິ້ງຂ້າງລຸ່ມເມື່ອທ່ານສະດວກ.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

Your appointment at {{rooftop.name}} on {{date payload.slotStart "datetime"}} is cancelled. Book another time with the link below whenever it suits you.`,
    km: `ជូនចំពោះ {{customer.firstName}}

ការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}} ត្រូវបានបោះបង់។ សូមកក់ពេលផ្សេងតាមតំណខាងក្រោម នៅពេលដែលអ្នកសមស្រប។`,
    lo: `ຮຽນ {{customer.firstName}}

ການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}} ຖືກຍົກເລີກແລ້ວ. ນັດໝາຍເວລາອື່ນດ້ວຍລິ້ງຂ້າງລຸ່ມເມື່ອທ່ານສະດວກ.`,
  },
};

export const appointmentReminderTemplate: EmailTemplate = {
  kind: 'appointment_reminder',
  subject: {
    en: 'Reminder: your service appointment at {{rooftop.name}}, {{date payload.slotStart "datetime"}}',
    km: 'រំលឹក៖ ការណាត់ថែទាំរបស់អ្នកនៅ {{rooftop.name}} {{date payload.slotStart "datetime"}}',
    lo: 'ແຈ້ງເຕືອນ: ການນັດໝາຍບໍລິການຂອງທ່ານທີ່ {{rooftop.name}}, {{date payload.slotStart "datetime"}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p><p>A reminder of your appointment at {{rooftop.name}} on <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} for your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}. {{rooftop.address}}.</p><p>Cannot come? Move or cancel it with the link below, or call us on {{rooftop.phone}}.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p><p>សូមរំលឹកពីការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។ {{rooftop.address}}។</p><p>មកមិនបានទេ? សូមប្តូរ ឬបោះបង់តាមតំណខាងក្រោម ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p><p>ແຈ້ງເຕືອນການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} ສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}. {{rooftop.address}}.</p><p>ມາບໍ່ໄດ້ບໍ? ປ່ຽນ ຫຼື ຍົກເລີກດ້ວຍລິ້ງຂ້າງລຸ່ມ ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

A reminder of your appointment at {{rooftop.name}} on {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} for your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}. {{rooftop.address}}.

Cannot come? Move or cancel it with the link below, or call us on {{rooftop.phone}}.`,
    km: `ជូនចំពោះ {{customer.firstName}}

សូមរំលឹកពីការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។ {{rooftop.address}}។

មកមិនបានទេ? សូមប្តូរ ឬបោះបង់តាមតំណខាងក្រោម ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។`,
    lo: `ຮຽນ {{customer.firstName}}

ແຈ້ງເຕືອນການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} ສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}. {{rooftop.address}}.

ມາບໍ່ໄດ້ບໍ? ປ່ຽນ ຫຼື ຍົກເລີກດ້ວຍລິ້ງຂ້າງລຸ່ມ ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.`,
  },
};

export const appointmentNoShowTemplate: EmailTemplate = {
  kind: 'appointment_no_show',
  subject: {
    en: 'We missed you at {{rooftop.name}}',
    km: 'យើងមិនបានជួបអ្នកនៅ {{rooftop.name}} ទេ',
    lo: 'ພວກເຮົາບໍ່ໄດ້ພົບທ່ານທີ່ {{rooftop.name}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p><p>We expected you on {{date payload.slotStart "datetime"}} and hope all is well. Your vehicle still needs its service: book a new time with the link below, or call us on {{rooftop.phone}}.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p><p>យើងបានរង់ចាំអ្នកនៅ {{date payload.slotStart "datetime"}} ហើយសង្ឃឹមថាអ្វីៗទាំងអស់ល្អ។ រថយន្តរបស់អ្នកនៅតែត្រូវការថែទាំ៖ សូមកក់ពេលថ្មីតាមតំណខាងក្រោម ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p><p>ພວກເຮົາໄດ້ລໍຖ້າທ່ານໃນ {{date payload.slotStart "datetime"}} ແລະ ຫວັງວ່າທຸກຢ່າງຈະດີ. ລົດຂອງທ່ານຍັງຕ້ອງການບໍລິການ: ນັດໝາຍເວລາໃໝ່ດ້ວຍລິ້ງຂ້າງລຸ່ມ ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

We expected you on {{date payload.slotStart "datetime"}} and hope all is well. Your vehicle still needs its service: book a new time with the link below, or call us on {{rooftop.phone}}.`,
    km: `ជូនចំពោះ {{customer.firstName}}

យើងបានរង់ចាំអ្នកនៅ {{date payload.slotStart "datetime"}} ហើយសង្ឃឹមថាអ្វីៗទាំងអស់ល្អ។ រថយន្តរបស់អ្នកនៅតែត្រូវការថែទាំ៖ សូមកក់ពេលថ្មីតាមតំណខាងក្រោម ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។`,
    lo: `ຮຽນ {{customer.firstName}}

ພວກເຮົາໄດ້ລໍຖ້າທ່ານໃນ {{date payload.slotStart "datetime"}} ແລະ ຫວັງວ່າທຸກຢ່າງຈະດີ. ລົດຂອງທ່ານຍັງຕ້ອງການບໍລິການ: ນັດໝາຍເວລາໃໝ່ດ້ວຍລິ້ງຂ້າງລຸ່ມ ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.`,
  },
};
