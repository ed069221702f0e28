import type { EmailTemplate } from './email-template';

/**
 * Loyalty tier-up notice (purpose `transactional`: a statement about the member's own account, no offer).
 * payload: { tier, tierName: {en,km,lo}, previousTier, earnedTrailing12Months, balance,
 *            nextTier, nextTierName: {en,km,lo} | null, pointsToNextTier }.
 */
export const loyaltyTierUpTemplate: EmailTemplate = {
  kind: 'loyalty_tier_up',
  subject: {
    en: 'You are now a {{payload.tierName.en}} member of {{rooftop.name}}',
    km: 'ឥឡូវនេះ អ្នកគឺជាសមាជិកថ្នាក់{{payload.tierName.km}} របស់ {{rooftop.name}}',
    lo: 'ຕອນນີ້ທ່ານເປັນສະມາຊິກລະດັບ{{payload.tierName.lo}} ຂອງ {{rooftop.name}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>Thank you for your loyalty. You earned <strong>{{payload.earnedTrailing12Months}}</strong> points in the last 12 months, so your membership is now <strong>{{payload.tierName.en}}</strong>.</p>
<p>Your balance: <strong>{{payload.balance}}</strong> points.</p>
{{#if payload.nextTierName}}<p>Earn {{payload.pointsToNextTier}} more points within 12 months to reach {{payload.nextTierName.en}}.</p>{{/if}}
<p>Points expire 24 months after they are earned, oldest first.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>សូមអរគុណចំពោះភាពស្មោះត្រង់របស់អ្នក។ អ្នកទទួលបានពិន្ទុ <strong>{{payload.earnedTrailing12Months}}</strong> ក្នុងរយៈពេល 12 ខែចុងក្រោយ ដូច្នេះសមាជិកភាពរបស់អ្នកឥឡូវនេះគឺថ្នាក់ <strong>{{payload.tierName.km}}</strong>។</p>
<p>សមតុល្យរបស់អ្នក៖ <strong>{{payload.balance}}</strong> ពិន្ទុ។</p>
{{#if payload.nextTierName}}<p>សូមប្រមូលពិន្ទុបន្ថែម {{payload.pointsToNextTier}} ក្នុងរយៈពេល 12 ខែ ដើម្បីឡើងដល់ថ្នាក់ {{payload.nextTierName.km}}។</p>{{/if}}
<p>ពិន្ទុនឹងផុតកំណត់ 24 ខែបន្ទាប់ពីទទួលបាន ដោយពិន្ទុចាស់ជាងផុតកំណត់មុន។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>ຂອບໃຈສຳລັບຄວາມຈົງຮັກພັກດີຂອງທ່ານ. ທ່ານໄດ້ຮັບ <strong>{{payload.earnedTrailing12Months}}</strong> ຄະແນນໃນ 12 ເດືອນທີ່ຜ່ານມາ, ສະນັ້ນຕອນນີ້ທ່ານເປັນສະມາຊິກລະດັບ <strong>{{payload.tierName.lo}}</strong>.</p>
<p>ຍອດຄະແນນຂອງທ່ານ: <strong>{{payload.balance}}</strong> ຄະແນນ.</p>
{{#if payload.nextTierName}}<p>ສະສົມອີກ {{payload.pointsToNextTier}} ຄະແນນພາຍໃນ 12 ເດືອນ ເພື່ອຂຶ້ນເປັນລະດັບ {{payload.nextTierName.lo}}.</p>{{/if}}
<p>ຄະແນນຈະໝົດອາຍຸ 24 ເດືອນຫຼັງຈາກທີ່ໄດ້ຮັບ, ຄະແນນເກົ່າສຸດໝົດອາຍຸກ່ອນ.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

Thank you for your loyalty. You earned {{payload.earnedTrailing12Months}} points in the last 12 months, so your membership is now {{payload.tierName.en}}.

Your balance: {{payload.balance}} points.
{{#if payload.nextTierName}}
Earn {{payload.pointsToNextTier}} more points within 12 months to reach {{payload.nextTierName.en}}.
{{/if}}

Points expire 24 months after they are earned, oldest first.`,
    km: `ជូនចំពោះ {{customer.firstName}}

សូមអរគុណចំពោះភាពស្មោះត្រង់របស់អ្នក។ អ្នកទទួលបានពិន្ទុ {{payload.earnedTrailing12Months}} ក្នុងរយៈពេល 12 ខែចុងក្រោយ ដូច្នេះសមាជិកភាពរបស់អ្នកឥឡូវនេះគឺថ្នាក់ {{payload.tierName.km}}។

សមតុល្យរបស់អ្នក៖ {{payload.balance}} ពិន្ទុ។
{{#if payload.nextTierName}}
សូមប្រមូលពិន្ទុបន្ថែម {{payload.pointsToNextTier}} ក្នុងរយៈពេល 12 ខែ ដើម្បីឡើងដល់ថ្នាក់ {{payload.nextTierName.km}}។
{{/if}}

ពិន្ទុនឹងផុតកំណត់ 24 ខែបន្ទាប់ពីទទួលបាន ដោយពិន្ទុចាស់ជាងផុតកំណត់មុន។`,
    lo: `ຮຽນ {{customer.firstName}}

ຂອບໃຈສຳລັບຄວາມຈົງຮັກພັກດີຂອງທ່ານ. ທ່ານໄດ້ຮັບ {{payload.earnedTrailing12Months}} ຄະແນນໃນ 12 ເດືອນທີ່ຜ່ານມາ, ສະນັ້ນຕອນນີ້ທ່ານເປັນສະມາຊິກລະດັບ {{payload.tierName.lo}}.

ຍອດຄະແນນຂອງທ່ານ: {{payload.balance}} ຄະແນນ.
{{#if payload.nextTierName}}
ສະສົມອີກ {{payload.pointsToNextTier}} ຄະແນນພາຍໃນ 12 ເດືອນ ເພື່ອຂຶ້ນເປັນລະດັບ {{payload.nextTierName.lo}}.
{{/if}}

ຄະແນນຈະໝົດອາຍຸ 24 ເດືອນຫຼັງຈາກທີ່ໄດ້ຮັບ, ຄະແນນເກົ່າສຸດໝົດອາຍຸກ່ອນ.`,
  },
};
