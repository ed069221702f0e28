import type { EmailTemplate } from './email-template';
import { birthdayTemplate } from './birthday.template';
import { declinedServiceTemplate } from './declined-service.template';
import { purchaseAnniversaryTemplate } from './purchase-anniversary.template';
import { saleCheckInTemplate } from './sale-check-in.template';
import { saleThankYouTemplate } from './sale-thank-you.template';
import { surveyInvitationTemplate } from './survey-invitation.template';
import { termEndTemplate } from './term-end.template';
import { warrantyExpiringTemplate } from './warranty-expiring.template';
import { winBackTemplate } from './win-back.template';
import { loyaltyTierUpTemplate } from './loyalty-tier-up.template';
import { serviceReminderTemplate } from './service-reminder.template';
import { transactionalTemplate } from './transactional.template';
import { appointmentConfirmationTemplate } from './appointment-confirmation.template';
import {
  appointmentCancelledTemplate,
  appointmentNoShowTemplate,
  appointmentReminderTemplate,
} from './appointment-updates.template';

/**
 * Every email template, one line each (contract C3). Add yours below: `import { xTemplate } from './x.template';`
 * and append it to the list. The renderer refuses a message whose kind is not listed here.
 */
// prettier-ignore
export const EMAIL_TEMPLATES: EmailTemplate[] = [
  transactionalTemplate,
  serviceReminderTemplate,
  loyaltyTierUpTemplate,
  birthdayTemplate,
  declinedServiceTemplate,
  purchaseAnniversaryTemplate,
  saleCheckInTemplate,
  saleThankYouTemplate,
  surveyInvitationTemplate,
  termEndTemplate,
  warrantyExpiringTemplate,
  winBackTemplate,
  appointmentConfirmationTemplate,
  appointmentCancelledTemplate,
  appointmentReminderTemplate,
  appointmentNoShowTemplate,
];

export type { EmailTemplate, Localized } from './email-template';
