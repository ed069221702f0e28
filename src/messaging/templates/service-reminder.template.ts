import type { EmailTemplate } from './email-template';
import { withReminderLabels } from './service-reminder-labels';

/**
 * Maintenance reminder digest (purpose `service_reminders`), planned by the `service-reminders` job: one email
 * per customer listing every item that reached a stage in the same run.
 * payload: { asOf, items: [{ vehicleId, vin, make, model, itemCode, itemName, stage, dueDate (YYYY-MM-DD),
 *            latestOdometer }] }; each item's itemNames {en,km,lo} and stageLabels {en,km,lo} are added when it is
 *            rendered (withReminderLabels; digests written before stored them).
 */
export const serviceReminderTemplate: EmailTemplate = {
  kind: 'service_reminder',
  payload: withReminderLabels,
  subject: {
    en: 'Maintenance reminder for your vehicle from {{rooftop.name}}',
    km: 'ការរំលឹកអំពីការថែទាំរថយន្តរបស់អ្នកពី {{rooftop.name}}',
    lo: 'ແຈ້ງເຕືອນການບຳລຸງຮັກສາລົດຂອງທ່ານຈາກ {{rooftop.name}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>According to our records, the following maintenance is coming up on your vehicle:</p>
<ul>
{{#each payload.items}}<li><strong>{{this.itemNames.en}}</strong> — {{this.make}} {{this.model}} (VIN {{this.vin}}): {{this.stageLabels.en}}, projected for <strong>{{date this.dueDate}}</strong>. Last known odometer: {{distance this.latestOdometer}}.</li>
{{/each}}</ul>
<p>Dates are estimated from the time since the last service and your usual driving. Regular maintenance keeps your vehicle safe, reliable and protects your warranty.</p>
{{#if links.booking}}<p><a href="{{links.booking}}">Book your service appointment online</a>{{#if rooftop.phone}}, or call us on {{rooftop.phone}}{{/if}}.</p>{{else if rooftop.phone}}<p>Call us on {{rooftop.phone}} to book your service appointment.</p>{{else}}<p>Reply to this email to book your service appointment.</p>{{/if}}
<p>If this work has already been done elsewhere, just let us know and we will update your records.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>យោងតាមកំណត់ត្រារបស់យើង ការថែទាំខាងក្រោមនឹងដល់ពេលសម្រាប់រថយន្តរបស់អ្នក៖</p>
<ul>
{{#each payload.items}}<li><strong>{{this.itemNames.km}}</strong> — {{this.make}} {{this.model}} (លេខតួ {{this.vin}})៖ {{this.stageLabels.km}} ប៉ាន់ស្មានថានៅថ្ងៃ <strong>{{date this.dueDate}}</strong>។ ចំនួនគីឡូម៉ែត្រចុងក្រោយដែលយើងដឹង៖ {{distance this.latestOdometer}}។</li>
{{/each}}</ul>
<p>កាលបរិច្ឆេទទាំងនេះត្រូវបានប៉ាន់ស្មានពីរយៈពេលចាប់តាំងពីការថែទាំចុងក្រោយ និងការបើកបរធម្មតារបស់អ្នក។ ការថែទាំជាប្រចាំធ្វើឱ្យរថយន្តរបស់អ្នកមានសុវត្ថិភាព ដំណើរការល្អ និងរក្សាការធានារបស់អ្នក។</p>
{{#if links.booking}}<p><a href="{{links.booking}}">កក់ពេលថែទាំតាមអនឡាញ</a>{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}{{/if}}។</p>{{else if rooftop.phone}}<p>សូមទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}} ដើម្បីកក់ពេលថែទាំ។</p>{{else}}<p>សូមឆ្លើយតបអ៊ីមែលនេះ ដើម្បីកក់ពេលថែទាំ។</p>{{/if}}
<p>ប្រសិនបើការងារនេះត្រូវបានធ្វើរួចនៅកន្លែងផ្សេង សូមប្រាប់យើង ហើយយើងនឹងធ្វើបច្ចុប្បន្នភាពកំណត់ត្រារបស់អ្នក។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ອີງຕາມບັນທຶກຂອງພວກເຮົາ, ລົດຂອງທ່ານໃກ້ຮອດກຳນົດການບຳລຸງຮັກສາດັ່ງລຸ່ມນີ້:</p>
<ul>
{{#each payload.items}}<li><strong>{{this.itemNames.lo}}</strong> — {{this.make}} {{this.model}} (ເລກຖັງ {{this.vin}}): {{this.stageLabels.lo}}, ຄາດວ່າວັນທີ <strong>{{date this.dueDate}}</strong>. ເລກໄມລ໌ຫຼ້າສຸດທີ່ພວກເຮົາຮູ້: {{distance this.latestOdometer}}.</li>
{{/each}}</ul>
<p>ວັນທີເຫຼົ່ານີ້ແມ່ນຄາດຄະເນຈາກໄລຍະເວລານັບແຕ່ການບໍລິການຄັ້ງຫຼ້າສຸດ ແລະ ການຂັບຂີ່ປົກກະຕິຂອງທ່ານ. ການບຳລຸງຮັກສາເປັນປະຈຳຊ່ວຍໃຫ້ລົດຂອງທ່ານປອດໄພ, ໃຊ້ງານໄດ້ດີ ແລະ ຮັກສາການຮັບປະກັນຂອງທ່ານ.</p>
{{#if links.booking}}<p><a href="{{links.booking}}">ນັດໝາຍເຂົ້າບໍລິການທາງອອນລາຍ</a>{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}{{/if}}.</p>{{else if rooftop.phone}}<p>ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}} ເພື່ອນັດໝາຍເຂົ້າບໍລິການ.</p>{{else}}<p>ກະລຸນາຕອບອີເມວນີ້ ເພື່ອນັດໝາຍເຂົ້າບໍລິການ.</p>{{/if}}
<p>ຖ້າວຽກນີ້ໄດ້ເຮັດແລ້ວຢູ່ບ່ອນອື່ນ, ກະລຸນາແຈ້ງໃຫ້ພວກເຮົາຮູ້ ແລະ ພວກເຮົາຈະປັບປຸງບັນທຶກຂອງທ່ານ.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

According to our records, the following maintenance is coming up on your vehicle:
{{#each payload.items}}
- {{this.itemNames.en}} — {{this.make}} {{this.model}} (VIN {{this.vin}}): {{this.stageLabels.en}}, projected for {{date this.dueDate}}. Last known odometer: {{distance this.latestOdometer}}.
{{/each}}

Dates are estimated from the time since the last service and your usual driving.
{{#if links.booking}}
Book your service appointment online: {{links.booking}}{{#if rooftop.phone}} — or call us on {{rooftop.phone}}.{{/if}}
{{else if rooftop.phone}}
Call us on {{rooftop.phone}} to book your service appointment.
{{else}}
Reply to this email to book your service appointment.
{{/if}}

If this work has already been done elsewhere, just let us know and we will update your records.`,
    km: `ជូនចំពោះ {{customer.firstName}}

យោងតាមកំណត់ត្រារបស់យើង ការថែទាំខាងក្រោមនឹងដល់ពេលសម្រាប់រថយន្តរបស់អ្នក៖
{{#each payload.items}}
- {{this.itemNames.km}} — {{this.make}} {{this.model}} (លេខតួ {{this.vin}})៖ {{this.stageLabels.km}} ប៉ាន់ស្មានថានៅថ្ងៃ {{date this.dueDate}}។ ចំនួនគីឡូម៉ែត្រចុងក្រោយដែលយើងដឹង៖ {{distance this.latestOdometer}}។
{{/each}}

កាលបរិច្ឆេទទាំងនេះត្រូវបានប៉ាន់ស្មានពីរយៈពេលចាប់តាំងពីការថែទាំចុងក្រោយ និងការបើកបរធម្មតារបស់អ្នក។
{{#if links.booking}}
កក់ពេលថែទាំតាមអនឡាញ៖ {{links.booking}}{{#if rooftop.phone}} ឬទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}}។{{/if}}
{{else if rooftop.phone}}
សូមទូរស័ព្ទមកយើងតាមលេខ {{rooftop.phone}} ដើម្បីកក់ពេលថែទាំ។
{{else}}
សូមឆ្លើយតបអ៊ីមែលនេះ ដើម្បីកក់ពេលថែទាំ។
{{/if}}

ប្រសិនបើការងារនេះត្រូវបានធ្វើរួចនៅកន្លែងផ្សេង សូមប្រាប់យើង ហើយយើងនឹងធ្វើបច្ចុប្បន្នភាពកំណត់ត្រារបស់អ្នក។`,
    lo: `ຮຽນ {{customer.firstName}}

ອີງຕາມບັນທຶກຂອງພວກເຮົາ, ລົດຂອງທ່ານໃກ້ຮອດກຳນົດການບຳລຸງຮັກສາດັ່ງລຸ່ມນີ້:
{{#each payload.items}}
- {{this.itemNames.lo}} — {{this.make}} {{this.model}} (ເລກຖັງ {{this.vin}}): {{this.stageLabels.lo}}, ຄາດວ່າວັນທີ {{date this.dueDate}}. ເລກໄມລ໌ຫຼ້າສຸດທີ່ພວກເຮົາຮູ້: {{distance this.latestOdometer}}.
{{/each}}

ວັນທີເຫຼົ່ານີ້ແມ່ນຄາດຄະເນຈາກໄລຍະເວລານັບແຕ່ການບໍລິການຄັ້ງຫຼ້າສຸດ ແລະ ການຂັບຂີ່ປົກກະຕິຂອງທ່ານ.
{{#if links.booking}}
ນັດໝາຍເຂົ້າບໍລິການທາງອອນລາຍ: {{links.booking}}{{#if rooftop.phone}} ຫຼື ໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}}.{{/if}}
{{else if rooftop.phone}}
ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ {{rooftop.phone}} ເພື່ອນັດໝາຍເຂົ້າບໍລິການ.
{{else}}
ກະລຸນາຕອບອີເມວນີ້ ເພື່ອນັດໝາຍເຂົ້າບໍລິການ.
{{/if}}

ຖ້າວຽກນີ້ໄດ້ເຮັດແລ້ວຢູ່ບ່ອນອື່ນ, ກະລຸນາແຈ້ງໃຫ້ພວກເຮົາຮູ້ ແລະ ພວກເຮົາຈະປັບປຸງບັນທຶກຂອງທ່ານ.`,
  },
};
