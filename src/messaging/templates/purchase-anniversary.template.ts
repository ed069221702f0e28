import type { EmailTemplate } from './email-template';

/** Marketing: every year on the purchase date. payload: { vehicle: { make, model, year }, purchaseDate, years }. */
export const purchaseAnniversaryTemplate: EmailTemplate = {
  kind: 'purchase_anniversary',
  subject: {
    en: 'Happy anniversary with your {{payload.vehicle.make}} {{payload.vehicle.model}}!',
    km: 'រីករាយខួបជាមួយរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក!',
    lo: 'ສຸກສັນວັນຄົບຮອບກັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ!',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>{{payload.years}} year(s) ago, on {{date payload.purchaseDate "long"}}, you drove away in your {{payload.vehicle.make}} {{payload.vehicle.model}}. Thank you for staying with us.</p>
<p>An anniversary is a good moment for a check-up: book a visit and our technicians will make sure your car is ready for the year ahead.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>កាលពី {{payload.years}} ឆ្នាំមុន នៅថ្ងៃទី {{date payload.purchaseDate "long"}} អ្នកបានទទួលរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}}។ សូមអរគុណដែលនៅជាមួយយើងជានិច្ច។</p>
<p>ខួបនេះជាពេលល្អសម្រាប់ការត្រួតពិនិត្យ៖ សូមកក់ពេលមកជួប ហើយជាងបច្ចេកទេសរបស់យើងនឹងធ្វើឱ្យរថយន្តរបស់អ្នករួចរាល់សម្រាប់ឆ្នាំខាងមុខ។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>{{payload.years}} ປີກ່ອນ, ໃນວັນທີ {{date payload.purchaseDate "long"}}, ທ່ານໄດ້ຮັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}}. ຂອບໃຈທີ່ຢູ່ກັບພວກເຮົາສະເໝີ.</p>
<p>ວັນຄົບຮອບເປັນເວລາທີ່ດີສຳລັບການກວດເຊັກ: ກະລຸນານັດໝາຍ ແລະ ຊ່າງຂອງພວກເຮົາຈະກຽມລົດຂອງທ່ານໃຫ້ພ້ອມສຳລັບປີໜ້າ.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

{{payload.years}} year(s) ago, on {{date payload.purchaseDate "long"}}, you drove away in your {{payload.vehicle.make}} {{payload.vehicle.model}}. Thank you for staying with us.

An anniversary is a good moment for a check-up: book a visit and our technicians will make sure your car is ready for the year ahead.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

កាលពី {{payload.years}} ឆ្នាំមុន នៅថ្ងៃទី {{date payload.purchaseDate "long"}} អ្នកបានទទួលរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}}។ សូមអរគុណដែលនៅជាមួយយើងជានិច្ច។

ខួបនេះជាពេលល្អសម្រាប់ការត្រួតពិនិត្យ៖ សូមកក់ពេលមកជួប ហើយជាងបច្ចេកទេសរបស់យើងនឹងធ្វើឱ្យរថយន្តរបស់អ្នករួចរាល់សម្រាប់ឆ្នាំខាងមុខ។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

{{payload.years}} ປີກ່ອນ, ໃນວັນທີ {{date payload.purchaseDate "long"}}, ທ່ານໄດ້ຮັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}}. ຂອບໃຈທີ່ຢູ່ກັບພວກເຮົາສະເໝີ.

ວັນຄົບຮອບເປັນເວລາທີ່ດີສຳລັບການກວດເຊັກ: ກະລຸນານັດໝາຍ ແລະ ຊ່າງຂອງພວກເຮົາຈະກຽມລົດຂອງທ່ານໃຫ້ພ້ອມສຳລັບປີໜ້າ.

ທີມງານ {{rooftop.name}}`,
  },
};
