import type { EmailTemplate } from './email-template';

/** Follow-up: a month after a sale (purpose follow_ups). payload: { vehicle: { make, model, year }, purchaseDate }. */
export const saleCheckInTemplate: EmailTemplate = {
  kind: 'sale_check_in',
  subject: {
    en: 'How is your {{payload.vehicle.make}} {{payload.vehicle.model}} after one month?',
    km: 'តើរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នកយ៉ាងម៉េចហើយ ក្រោយមួយខែ?',
    lo: 'ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານເປັນແນວໃດແດ່ ຫຼັງຈາກໜຶ່ງເດືອນ?',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>You have had your {{payload.vehicle.make}} {{payload.vehicle.model}} for about a month now. We would like to check that everything is working as it should.</p>
<p>If anything needs attention, or you would like us to explain a feature again, book a visit{{#if rooftop.phone}} or give us a call{{else}} or reply to this email{{/if}}.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>អ្នកបានប្រើរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ប្រហែលមួយខែហើយ។ យើងចង់ដឹងថាអ្វីៗដំណើរការល្អដូចការរំពឹងទុកឬទេ។</p>
<p>ប្រសិនបើមានអ្វីត្រូវការពិនិត្យ ឬអ្នកចង់ឱ្យយើងពន្យល់មុខងារណាមួយម្តងទៀត សូមកក់ពេលមកជួប {{#if rooftop.phone}}ឬទូរស័ព្ទមកយើង{{else}}ឬឆ្លើយតបអ៊ីមែលនេះ{{/if}}។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ທ່ານໄດ້ໃຊ້ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ມາປະມານໜຶ່ງເດືອນແລ້ວ. ພວກເຮົາຢາກກວດເບິ່ງວ່າທຸກຢ່າງເຮັດວຽກໄດ້ດີຕາມປົກກະຕິບໍ່.</p>
<p>ຖ້າມີສິ່ງໃດຕ້ອງກວດກາ ຫຼື ທ່ານຢາກໃຫ້ພວກເຮົາອະທິບາຍຄຸນສົມບັດໃດໜຶ່ງອີກຄັ້ງ, ກະລຸນານັດໝາຍ ຫຼື {{#if rooftop.phone}}ໂທຫາພວກເຮົາ{{else}}ຕອບອີເມວນີ້{{/if}}.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

You have had your {{payload.vehicle.make}} {{payload.vehicle.model}} for about a month now. We would like to check that everything is working as it should.

If anything needs attention, or you would like us to explain a feature again, book a visit{{#if rooftop.phone}} or give us a call{{else}} or reply to this email{{/if}}.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

អ្នកបានប្រើរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ប្រហែលមួយខែហើយ។ យើងចង់ដឹងថាអ្វីៗដំណើរការល្អដូចការរំពឹងទុកឬទេ។

ប្រសិនបើមានអ្វីត្រូវការពិនិត្យ ឬអ្នកចង់ឱ្យយើងពន្យល់មុខងារណាមួយម្តងទៀត សូមកក់ពេលមកជួប {{#if rooftop.phone}}ឬទូរស័ព្ទមកយើង{{else}}ឬឆ្លើយតបអ៊ីមែលនេះ{{/if}}។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ທ່ານໄດ້ໃຊ້ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ມາປະມານໜຶ່ງເດືອນແລ້ວ. ພວກເຮົາຢາກກວດເບິ່ງວ່າທຸກຢ່າງເຮັດວຽກໄດ້ດີຕາມປົກກະຕິບໍ່.

ຖ້າມີສິ່ງໃດຕ້ອງກວດກາ ຫຼື ທ່ານຢາກໃຫ້ພວກເຮົາອະທິບາຍຄຸນສົມບັດໃດໜຶ່ງອີກຄັ້ງ, ກະລຸນານັດໝາຍ ຫຼື {{#if rooftop.phone}}ໂທຫາພວກເຮົາ{{else}}ຕອບອີເມວນີ້{{/if}}.

ທີມງານ {{rooftop.name}}`,
  },
};
