import type { EmailTemplate } from './email-template';

/**
 * Survey invitation after a sale (+7 days) or a service visit (+2 days), purpose surveys.
 * payload: { surveyId, surveyKind: 'sale'|'service', isService: boolean, surveyUrl, expiresAt, vehicle: { make, model, year } }.
 */
export const surveyInvitationTemplate: EmailTemplate = {
  kind: 'survey_invitation',
  subject: {
    en: 'Two minutes for {{rooftop.name}}? Tell us how we did',
    km: 'សូមចំណាយពេលពីរនាទីឱ្យ {{rooftop.name}} — ប្រាប់យើងពីបទពិសោធន៍របស់អ្នក',
    lo: 'ຂໍເວລາສອງນາທີໃຫ້ {{rooftop.name}} — ບອກພວກເຮົາວ່າພວກເຮົາເຮັດໄດ້ດີປານໃດ',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>{{#if payload.isService}}Thank you for bringing your {{payload.vehicle.make}} {{payload.vehicle.model}} to our service department.{{else}}Thank you for buying your {{payload.vehicle.make}} {{payload.vehicle.model}} from us.{{/if}} How did we do?</p>
<p>Three quick questions, about two minutes:</p>
<p><a href="{{payload.surveyUrl}}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">Answer the survey</a></p>
<p>The link works until {{date payload.expiresAt "long"}}. Thank you for helping us improve.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>{{#if payload.isService}}សូមអរគុណដែលបាននាំរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} មកផ្នែកសេវាកម្មរបស់យើង។{{else}}សូមអរគុណដែលបានទិញរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ពីយើងខ្ញុំ។{{/if}} តើយើងបម្រើអ្នកបានល្អយ៉ាងណា?</p>
<p>មានសំណួរខ្លីៗបី ប្រហែលពីរនាទី៖</p>
<p><a href="{{payload.surveyUrl}}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">ឆ្លើយការស្ទង់មតិ</a></p>
<p>តំណនេះប្រើបានរហូតដល់ {{date payload.expiresAt "long"}}។ សូមអរគុណដែលជួយយើងឱ្យប្រសើរឡើង។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>{{#if payload.isService}}ຂອບໃຈທີ່ນຳລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ມາທີ່ພະແນກບໍລິການຂອງພວກເຮົາ.{{else}}ຂອບໃຈທີ່ຊື້ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຈາກພວກເຮົາ.{{/if}} ພວກເຮົາບໍລິການທ່ານເປັນແນວໃດ?</p>
<p>ມີສາມຄຳຖາມສັ້ນໆ, ປະມານສອງນາທີ:</p>
<p><a href="{{payload.surveyUrl}}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">ຕອບແບບສອບຖາມ</a></p>
<p>ລິ້ງນີ້ໃຊ້ໄດ້ຈົນຮອດ {{date payload.expiresAt "long"}}. ຂອບໃຈທີ່ຊ່ວຍໃຫ້ພວກເຮົາພັດທະນາ.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

{{#if payload.isService}}Thank you for bringing your {{payload.vehicle.make}} {{payload.vehicle.model}} to our service department.{{else}}Thank you for buying your {{payload.vehicle.make}} {{payload.vehicle.model}} from us.{{/if}} How did we do?

Three quick questions, about two minutes:
{{payload.surveyUrl}}

The link works until {{date payload.expiresAt "long"}}. Thank you for helping us improve.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

{{#if payload.isService}}សូមអរគុណដែលបាននាំរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} មកផ្នែកសេវាកម្មរបស់យើង។{{else}}សូមអរគុណដែលបានទិញរថយន្ត {{payload.vehicle.make}} {{payload.vehicle.model}} ពីយើងខ្ញុំ។{{/if}} តើយើងបម្រើអ្នកបានល្អយ៉ាងណា?

មានសំណួរខ្លីៗបី ប្រហែលពីរនាទី៖
{{payload.surveyUrl}}

តំណនេះប្រើបានរហូតដល់ {{date payload.expiresAt "long"}}។ សូមអរគុណដែលជួយយើងឱ្យប្រសើរឡើង។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

{{#if payload.isService}}ຂອບໃຈທີ່ນຳລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ມາທີ່ພະແນກບໍລິການຂອງພວກເຮົາ.{{else}}ຂອບໃຈທີ່ຊື້ລົດ {{payload.vehicle.make}} {{payload.vehicle.model}} ຈາກພວກເຮົາ.{{/if}} ພວກເຮົາບໍລິການທ່ານເປັນແນວໃດ?

ມີສາມຄຳຖາມສັ້ນໆ, ປະມານສອງນາທີ:
{{payload.surveyUrl}}

ລິ້ງນີ້ໃຊ້ໄດ້ຈົນຮອດ {{date payload.expiresAt "long"}}. ຂອບໃຈທີ່ຊ່ວຍໃຫ້ພວກເຮົາພັດທະນາ.

ທີມງານ {{rooftop.name}}`,
  },
};
