import type { Localized } from './email-template';

/** The one link a short text carries: the booking page, the survey, the unsubscribe page, or none. */
export type ShortLinkKind = 'booking' | 'survey' | 'unsubscribe' | 'none';

/**
 * The short form of a message kind, for SMS and Telegram (SPEC "Short texts"): plain text that fits two SMS
 * parts together with its link (SMS) and reads well without it (Telegram shows the link as a button).
 *
 * Context given to `text` (Handlebars, not HTML-escaped):
 *   customer: { firstName }   rooftop: { name, phone }   vehicle: the model ("Hilux"), or null
 *   payload:  the outbox row's payload
 * Helpers: {{day x}} → a calendar date ("12 Dec 2026", 12/12/2026 in km/lo); {{when x}} → an instant in the
 * rooftop's time zone ("12 Dec, 09:30", 12/12, 09:30 in km/lo); {{number x}} → grouped digits; (eq a b).
 */
export interface ShortTextTemplate {
  kind: string;
  link: ShortLinkKind;
  text: Localized;
  /** Words before the link in an SMS ("Book online:"); default per link kind. */
  cta?: Localized;
  /** The Telegram button's label; default per link kind. */
  button?: Localized;
}

/** Words before the link in an SMS, per link kind. */
export const DEFAULT_CTA: Record<Exclude<ShortLinkKind, 'none'>, Localized> = {
  booking: { en: 'Book online:', km: 'សូមកក់៖', lo: 'ຈອງຄິວ:' },
  survey: { en: 'Answer here:', km: 'សូមឆ្លើយ៖', lo: 'ກະລຸນາຕອບ:' },
  unsubscribe: { en: 'Opt out:', km: 'ឈប់ទទួល៖', lo: 'ຢຸດຮັບ:' },
};

/** Telegram button labels, per link kind. */
export const DEFAULT_BUTTON: Record<Exclude<ShortLinkKind, 'none'>, Localized> = {
  booking: { en: 'Book a service', km: 'កក់ពេលថែទាំ', lo: 'ນັດໝາຍບໍລິການ' },
  survey: { en: 'Answer the survey', km: 'ឆ្លើយការស្ទង់មតិ', lo: 'ຕອບແບບສອບຖາມ' },
  unsubscribe: { en: 'Unsubscribe', km: 'ឈប់ទទួលសារ', lo: 'ຍົກເລີກການຮັບຂ່າວ' },
};
