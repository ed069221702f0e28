import type { EmailTemplate } from './email-template';
import { serviceReminderTemplate } from './service-reminder.template';
import { loyaltyTierUpTemplate } from './loyalty-tier-up.template';
import { transactionalTemplate } from './transactional.template';

/**
 * Every email template, one line each (contract C3). Add yours below: `import { xTemplate } from './x.template';`
 * and append it to the list. The renderer refuses a message whose kind is not listed here.
 */
// prettier-ignore
export const EMAIL_TEMPLATES: EmailTemplate[] = [
  transactionalTemplate,
  loyaltyTierUpTemplate,
  serviceReminderTemplate,
];

export type { EmailTemplate, Localized } from './email-template';
