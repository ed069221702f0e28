import type { EmailTemplate } from './email-template';

/**
 * Service reminder: 14 days after a visit with declined work (purpose service_reminders).
 * payload: { vehicle: { make, model, year }, visitId, roNumber, visitDate, currency, items: [{ itemCode, description, estimate }] }.
 */
export const declinedServiceTemplate: EmailTemplate = {
  kind: 'declined_service',
  subject: {
    en: 'Still to do on your {{payload.vehicle.make}} {{payload.vehicle.model}}',
    km: 'ការងារដែលនៅសល់សម្រាប់រថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} របស់អ្នក',
    lo: 'ວຽກທີ່ຍັງຄ້າງສຳລັບລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຂອງທ່ານ',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>During your visit on {{date payload.visitDate "long"}} with your {{payload.vehicle.make}} {{payload.vehicle.model}}, our technicians recommended the following work, which was not done at the time:</p>
<ul>{{#each payload.items}}<li>{{this.description}}{{#if this.estimate}} — estimate {{this.estimate}} {{@root.payload.currency}}{{/if}}</li>{{/each}}</ul>
<p>Putting it off can lead to bigger repairs later. Book a visit and we will take care of it.</p>
<p>The service team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>នៅពេលអ្នកនាំរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} មកថ្ងៃទី {{date payload.visitDate "long"}} ជាងបច្ចេកទេសរបស់យើងបានណែនាំការងារខាងក្រោម ដែលមិនទាន់បានធ្វើនៅពេលនោះ៖</p>
<ul>{{#each payload.items}}<li>{{this.description}}{{#if this.estimate}} — តម្លៃប៉ាន់ស្មាន {{this.estimate}} {{@root.payload.currency}}{{/if}}</li>{{/each}}</ul>
<p>ការពន្យារពេលអាចនាំឱ្យមានការជួសជុលធំជាងនេះនៅពេលក្រោយ។ សូមកក់ពេលមកជួប ហើយយើងនឹងថែទាំជូន។</p>
<p>ក្រុមសេវាកម្ម {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ໃນການນຳລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ມາວັນທີ {{date payload.visitDate "long"}} ຊ່າງຂອງພວກເຮົາໄດ້ແນະນຳວຽກຕໍ່ໄປນີ້ ເຊິ່ງຍັງບໍ່ໄດ້ເຮັດໃນເວລານັ້ນ:</p>
<ul>{{#each payload.items}}<li>{{this.description}}{{#if this.estimate}} — ລາຄາປະມານ {{this.estimate}} {{@root.payload.currency}}{{/if}}</li>{{/each}}</ul>
<p>ການເລື່ອນອອກໄປອາດເຮັດໃຫ້ຕ້ອງສ້ອມແປງໃຫຍ່ກວ່າເກົ່າໃນພາຍຫຼັງ. ກະລຸນານັດໝາຍ ແລະ ພວກເຮົາຈະດູແລໃຫ້.</p>
<p>ທີມບໍລິການ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

During your visit on {{date payload.visitDate "long"}} with your {{payload.vehicle.make}} {{payload.vehicle.model}}, our technicians recommended the following work, which was not done at the time:
{{#each payload.items}}
- {{this.description}}{{#if this.estimate}} — estimate {{this.estimate}} {{@root.payload.currency}}{{/if}}
{{/each}}

Putting it off can lead to bigger repairs later. Book a visit and we will take care of it.

The service team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

នៅពេលអ្នកនាំរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} មកថ្ងៃទី {{date payload.visitDate "long"}} ជាងបច្ចេកទេសរបស់យើងបានណែនាំការងារខាងក្រោម ដែលមិនទាន់បានធ្វើនៅពេលនោះ៖
{{#each payload.items}}
- {{this.description}}{{#if this.estimate}} — តម្លៃប៉ាន់ស្មាន {{this.estimate}} {{@root.payload.currency}}{{/if}}
{{/each}}

ការពន្យារពេលអាចនាំឱ្យមានការជួសជុលធំជាងនេះនៅពេលក្រោយ។ សូមកក់ពេលមកជួប ហើយយើងនឹងថែទាំជូន។

ក្រុមសេវាកម្ម {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ໃນການນຳລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ມາວັນທີ {{date payload.visitDate "long"}} ຊ່າງຂອງພວກເຮົາໄດ້ແນະນຳວຽກຕໍ່ໄປນີ້ ເຊິ່ງຍັງບໍ່ໄດ້ເຮັດໃນເວລານັ້ນ:
{{#each payload.items}}
- {{this.description}}{{#if this.estimate}} — ລາຄາປະມານ {{this.estimate}} {{@root.payload.currency}}{{/if}}
{{/each}}

ການເລື່ອນອອກໄປອາດເຮັດໃຫ້ຕ້ອງສ້ອມແປງໃຫຍ່ກວ່າເກົ່າໃນພາຍຫຼັງ. ກະລຸນານັດໝາຍ ແລະ ພວກເຮົາຈະດູແລໃຫ້.

ທີມບໍລິການ {{rooftop.name}}`,
  },
};
