import type { Language } from '../../config/app-config';

/** One Handlebars source string per customer language (SPEC: en, km, lo — real translations, no placeholders). */
export type Localized = Record<Language, string>;

/**
 * An email template (contract C3). Each `<kind>.template.ts` exports one of these and is listed in
 * `templates/index.ts`. The renderer wraps `html` and `text` in the common layout (rooftop name, address,
 * phone, booking link, unsubscribe link), so a template writes only its own body.
 *
 * Context given to every template:
 *   customer: { firstName, lastName }
 *   rooftop:  { name, address, phone, bookingUrl, timeZone, currency }
 *   payload:  the outbox row's payload (whatever the planner put there)
 *   links:    { booking, unsubscribe } (absolute URLs; booking may be null)
 *   unit:     'km' | 'mi';  language: 'en' | 'km' | 'lo'
 * Helpers:
 *   {{date payload.dueDate}}            → date in the customer's language, rooftop time zone (medium style)
 *   {{date payload.at "long"}}          → styles: short | medium | long | full | datetime
 *   {{distance payload.odometer}}       → "12,345 km" (or mi, per DISTANCE_UNIT), grouped per locale
 */
export interface EmailTemplate {
  /** The outbox `kind` this template renders, e.g. `service_reminder`. */
  kind: string;
  /**
   * What the layout's booking button says: `book` (default) a new visit, or `manage` the appointment the email is
   * about (the booking page shows the customer's standing appointment for the vehicle, to move or cancel it).
   */
  bookingButton?: 'book' | 'manage';
  /** The payload as the template reads it, from the stored one (e.g. labels looked up instead of stored). */
  payload?: (stored: Record<string, unknown>) => Record<string, unknown>;
  subject: Localized;
  html: Localized;
  text: Localized;
}
