import type { EmailTemplate, Localized } from './email-template';

/*
 * What the customer can do next, by whatever the message has: the link below (the layout's booking button), the
 * rooftop's phone (optional), or else a reply. Shared by the HTML and text parts.
 */
const BOOK_AGAIN: Localized = {
  en: '{{#if links.booking}}Book another time with the link below{{else if rooftop.phone}}Call us on {{rooftop.phone}} to book another time{{else}}Reply to this email to book another time{{/if}} whenever it suits you.',
  km: '{{#if links.booking}}សូមកក់ពេលផ្សេងតាមតំណខាងក្រោម{{else if rooftop.phone}}សូមទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}} ដើម្បីកក់ពេលផ្សេង{{else}}សូមឆ្លើយតបអ៊ីមែលនេះ ដើម្បីកក់ពេលផ្សេង{{/if}} នៅពេលដែលអ្នកសមស្រប។',
  lo: '{{#if links.booking}}ນັດໝາຍເວລາອື່ນດ້ວຍລິ້ງຂ້າງລຸ່ມ{{else if rooftop.phone}}ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}} ເພື່ອນັດໝາຍເວລາອື່ນ{{else}}ກະລຸນາຕອບອີເມວນີ້ ເພື່ອນັດໝາຍເວລາອື່ນ{{/if}}ເມື່ອທ່ານສະດວກ.',
};

const CANNOT_COME: Localized = {
  en: 'Cannot come? {{#if links.booking}}Move or cancel it with the link below{{#if rooftop.phone}}, or call us on {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}Call us on {{rooftop.phone}} to move or cancel it{{else}}Reply to this email to move or cancel it{{/if}}.',
  km: 'មកមិនបានទេ? {{#if links.booking}}សូមប្តូរ ឬបោះបង់តាមតំណខាងក្រោម{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}សូមទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}} ដើម្បីប្តូរ ឬបោះបង់{{else}}សូមឆ្លើយតបអ៊ីមែលនេះ ដើម្បីប្តូរ ឬបោះបង់{{/if}}។',
  lo: 'ມາບໍ່ໄດ້ບໍ? {{#if links.booking}}ປ່ຽນ ຫຼື ຍົກເລີກດ້ວຍລິ້ງຂ້າງລຸ່ມ{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}} ເພື່ອປ່ຽນ ຫຼື ຍົກເລີກ{{else}}ກະລຸນາຕອບອີເມວນີ້ ເພື່ອປ່ຽນ ຫຼື ຍົກເລີກ{{/if}}.',
};

const BOOK_NEW: Localized = {
  en: '{{#if links.booking}}book a new time with the link below{{#if rooftop.phone}}, or call us on {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}call us on {{rooftop.phone}} to book a new time{{else}}reply to this email to book a new time{{/if}}.',
  km: '{{#if links.booking}}សូមកក់ពេលថ្មីតាមតំណខាងក្រោម{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}សូមទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}} ដើម្បីកក់ពេលថ្មី{{else}}សូមឆ្លើយតបអ៊ីមែលនេះ ដើម្បីកក់ពេលថ្មី{{/if}}។',
  lo: '{{#if links.booking}}ນັດໝາຍເວລາໃໝ່ດ້ວຍລິ້ງຂ້າງລຸ່ມ{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}{{/if}}{{else if rooftop.phone}}ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}} ເພື່ອນັດໝາຍເວລາໃໝ່{{else}}ກະລຸນາຕອບອີເມວນີ້ ເພື່ອນັດໝາຍເວລາໃໝ່{{/if}}.',
};

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
    en: `<p>Dear {{customer.firstName}},</p><p>Your appointment at {{rooftop.name}} on {{date payload.slotStart "datetime"}} is cancelled. ${BOOK_AGAIN.en}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p><p>ការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}} ត្រូវបានបោះបង់។ ${BOOK_AGAIN.km}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p><p>ການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}} ຖືກຍົກເລີກແລ້ວ. ${BOOK_AGAIN.lo}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

Your appointment at {{rooftop.name}} on {{date payload.slotStart "datetime"}} is cancelled. ${BOOK_AGAIN.en}`,
    km: `ជូនចំពោះ {{customer.firstName}}

ការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}} ត្រូវបានបោះបង់។ ${BOOK_AGAIN.km}`,
    lo: `ຮຽນ {{customer.firstName}}

ການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}} ຖືກຍົກເລີກແລ້ວ. ${BOOK_AGAIN.lo}`,
  },
};

export const appointmentReminderTemplate: EmailTemplate = {
  kind: 'appointment_reminder',
  bookingButton: 'manage',
  subject: {
    en: 'Reminder: your service appointment at {{rooftop.name}}, {{date payload.slotStart "datetime"}}',
    km: 'រំលឹក៖ ការណាត់ថែទាំរបស់អ្នកនៅ {{rooftop.name}} {{date payload.slotStart "datetime"}}',
    lo: 'ແຈ້ງເຕືອນ: ການນັດໝາຍບໍລິການຂອງທ່ານທີ່ {{rooftop.name}}, {{date payload.slotStart "datetime"}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p><p>A reminder of your appointment at {{rooftop.name}} on <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} for your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}.{{#if rooftop.address}} {{rooftop.address}}.{{/if}}</p><p>${CANNOT_COME.en}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p><p>សូមរំលឹកពីការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។{{#if rooftop.address}} {{rooftop.address}}។{{/if}}</p><p>${CANNOT_COME.km}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p><p>ແຈ້ງເຕືອນການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ <strong>{{date payload.slotStart "datetime"}}</strong>{{#if payload.vehicle}} ສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}.{{#if rooftop.address}} {{rooftop.address}}.{{/if}}</p><p>${CANNOT_COME.lo}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

A reminder of your appointment at {{rooftop.name}} on {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} for your {{payload.vehicle.make}} {{payload.vehicle.model}}{{/if}}.{{#if rooftop.address}} {{rooftop.address}}.{{/if}}

${CANNOT_COME.en}`,
    km: `ជូនចំពោះ {{customer.firstName}}

សូមរំលឹកពីការណាត់របស់អ្នកនៅ {{rooftop.name}} នៅ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក{{/if}}។{{#if rooftop.address}} {{rooftop.address}}។{{/if}}

${CANNOT_COME.km}`,
    lo: `ຮຽນ {{customer.firstName}}

ແຈ້ງເຕືອນການນັດໝາຍຂອງທ່ານທີ່ {{rooftop.name}} ໃນ {{date payload.slotStart "datetime"}}{{#if payload.vehicle}} ສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ{{/if}}.{{#if rooftop.address}} {{rooftop.address}}.{{/if}}

${CANNOT_COME.lo}`,
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
    en: `<p>Dear {{customer.firstName}},</p><p>We expected you on {{date payload.slotStart "datetime"}} and hope all is well. Your vehicle still needs its service: ${BOOK_NEW.en}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p><p>យើងបានរង់ចាំអ្នកនៅ {{date payload.slotStart "datetime"}} ហើយសង្ឃឹមថាអ្វីៗទាំងអស់ល្អ។ រថយន្តរបស់អ្នកនៅតែត្រូវការថែទាំ៖ ${BOOK_NEW.km}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p><p>ພວກເຮົາໄດ້ລໍຖ້າທ່ານໃນ {{date payload.slotStart "datetime"}} ແລະ ຫວັງວ່າທຸກຢ່າງຈະດີ. ລົດຂອງທ່ານຍັງຕ້ອງການບໍລິການ: ${BOOK_NEW.lo}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

We expected you on {{date payload.slotStart "datetime"}} and hope all is well. Your vehicle still needs its service: ${BOOK_NEW.en}`,
    km: `ជូនចំពោះ {{customer.firstName}}

យើងបានរង់ចាំអ្នកនៅ {{date payload.slotStart "datetime"}} ហើយសង្ឃឹមថាអ្វីៗទាំងអស់ល្អ។ រថយន្តរបស់អ្នកនៅតែត្រូវការថែទាំ៖ ${BOOK_NEW.km}`,
    lo: `ຮຽນ {{customer.firstName}}

ພວກເຮົາໄດ້ລໍຖ້າທ່ານໃນ {{date payload.slotStart "datetime"}} ແລະ ຫວັງວ່າທຸກຢ່າງຈະດີ. ລົດຂອງທ່ານຍັງຕ້ອງການບໍລິການ: ${BOOK_NEW.lo}`,
  },
};
