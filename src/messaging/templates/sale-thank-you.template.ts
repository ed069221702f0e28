import type { EmailTemplate } from './email-template';

/** Follow-up: the day after a sale (purpose follow_ups). payload: { vehicle: { make, model, year }, purchaseDate }. */
export const saleThankYouTemplate: EmailTemplate = {
  kind: 'sale_thank_you',
  subject: {
    en: 'Thank you for choosing {{rooftop.name}}',
    km: 'សូមអរគុណដែលបានជ្រើសរើស {{rooftop.name}}',
    lo: 'ຂອບໃຈທີ່ເລືອກ {{rooftop.name}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>Thank you for buying your {{payload.vehicle.year}} {{payload.vehicle.make}} {{payload.vehicle.model}} from us. We hope you enjoy every kilometre of it.</p>
<p>If you have any questions about your new vehicle, just reply to this email{{#if rooftop.phone}} or call us{{/if}} — we are happy to help.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>សូមអរគុណដែលបានទិញរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ឆ្នាំ {{payload.vehicle.year}} ពីយើងខ្ញុំ។ យើងសង្ឃឹមថាអ្នកនឹងរីករាយជាមួយការបើកបររបស់អ្នក។</p>
<p>ប្រសិនបើអ្នកមានសំណួរអំពីរថយន្តថ្មីរបស់អ្នក សូមឆ្លើយតបអ៊ីមែលនេះ{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើង{{/if}} — យើងរីករាយជួយអ្នក។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ຂອບໃຈທີ່ຊື້ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ປີ {{payload.vehicle.year}} ຈາກພວກເຮົາ. ພວກເຮົາຫວັງວ່າທ່ານຈະມີຄວາມສຸກກັບການຂັບຂີ່.</p>
<p>ຖ້າທ່ານມີຄຳຖາມກ່ຽວກັບລົດໃໝ່ຂອງທ່ານ, ກະລຸນາຕອບອີເມວນີ້{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາ{{/if}} — ພວກເຮົາຍິນດີຊ່ວຍເຫຼືອ.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

Thank you for buying your {{payload.vehicle.year}} {{payload.vehicle.make}} {{payload.vehicle.model}} from us. We hope you enjoy every kilometre of it.

If you have any questions about your new vehicle, just reply to this email{{#if rooftop.phone}} or call us{{/if}} — we are happy to help.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

សូមអរគុណដែលបានទិញរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ឆ្នាំ {{payload.vehicle.year}} ពីយើងខ្ញុំ។ យើងសង្ឃឹមថាអ្នកនឹងរីករាយជាមួយការបើកបររបស់អ្នក។

ប្រសិនបើអ្នកមានសំណួរអំពីរថយន្តថ្មីរបស់អ្នក សូមឆ្លើយតបអ៊ីមែលនេះ{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើង{{/if}} — យើងរីករាយជួយអ្នក។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ຂອບໃຈທີ່ຊື້ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ປີ {{payload.vehicle.year}} ຈາກພວກເຮົາ. ພວກເຮົາຫວັງວ່າທ່ານຈະມີຄວາມສຸກກັບການຂັບຂີ່.

ຖ້າທ່ານມີຄຳຖາມກ່ຽວກັບລົດໃໝ່ຂອງທ່ານ, ກະລຸນາຕອບອີເມວນີ້{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາ{{/if}} — ພວກເຮົາຍິນດີຊ່ວຍເຫຼືອ.

ທີມງານ {{rooftop.name}}`,
  },
};
