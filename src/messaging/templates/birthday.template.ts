import type { EmailTemplate } from './email-template';

/** Marketing: on the customer's birthday (rooftop time zone). payload: {}. */
export const birthdayTemplate: EmailTemplate = {
  kind: 'birthday',
  subject: {
    en: 'Happy birthday, {{customer.firstName}}!',
    km: 'រីករាយថ្ងៃកំណើត {{customer.firstName}}!',
    lo: 'ສຸກສັນວັນເກີດ {{customer.firstName}}!',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>Everyone at {{rooftop.name}} wishes you a very happy birthday and a safe, joyful year ahead.</p>
<p>Thank you for being part of our family of drivers.</p>
<p>The team at {{rooftop.name}}</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>ក្រុមការងារទាំងអស់នៅ {{rooftop.name}} សូមជូនពរឱ្យអ្នកមានសុភមង្គលក្នុងថ្ងៃកំណើត និងមានសុវត្ថិភាព និងក្តីរីករាយពេញមួយឆ្នាំខាងមុខ។</p>
<p>សូមអរគុណដែលបានក្លាយជាផ្នែកមួយនៃគ្រួសារអ្នកបើកបររបស់យើង។</p>
<p>ក្រុមការងារ {{rooftop.name}}</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ທຸກຄົນທີ່ {{rooftop.name}} ຂໍອວຍພອນວັນເກີດໃຫ້ທ່ານມີຄວາມສຸກ ແລະ ປອດໄພຕະຫຼອດປີໜ້າ.</p>
<p>ຂອບໃຈທີ່ເປັນສ່ວນໜຶ່ງຂອງຄອບຄົວຜູ້ຂັບຂີ່ຂອງພວກເຮົາ.</p>
<p>ທີມງານ {{rooftop.name}}</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

Everyone at {{rooftop.name}} wishes you a very happy birthday and a safe, joyful year ahead.

Thank you for being part of our family of drivers.

The team at {{rooftop.name}}`,
    km: `ជូនចំពោះ {{customer.firstName}}

ក្រុមការងារទាំងអស់នៅ {{rooftop.name}} សូមជូនពរឱ្យអ្នកមានសុភមង្គលក្នុងថ្ងៃកំណើត និងមានសុវត្ថិភាព និងក្តីរីករាយពេញមួយឆ្នាំខាងមុខ។

សូមអរគុណដែលបានក្លាយជាផ្នែកមួយនៃគ្រួសារអ្នកបើកបររបស់យើង។

ក្រុមការងារ {{rooftop.name}}`,
    lo: `ຮຽນ {{customer.firstName}}

ທຸກຄົນທີ່ {{rooftop.name}} ຂໍອວຍພອນວັນເກີດໃຫ້ທ່ານມີຄວາມສຸກ ແລະ ປອດໄພຕະຫຼອດປີໜ້າ.

ຂອບໃຈທີ່ເປັນສ່ວນໜຶ່ງຂອງຄອບຄົວຜູ້ຂັບຂີ່ຂອງພວກເຮົາ.

ທີມງານ {{rooftop.name}}`,
  },
};
