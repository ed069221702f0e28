/**
 * The consent rules of SPEC "Consent", in one place: the purposes a customer decides on and the default
 * that applies until they decide. Pure; customers own them, messaging asks (ConsentsService, consentDecisions).
 */
export const PURPOSES = ['service_reminders', 'follow_ups', 'surveys', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

/** Relationship purposes are allowed until withdrawn; marketing needs an explicit opt-in. */
export function defaultConsent(purpose: Purpose): boolean {
  return purpose !== 'marketing';
}

/** Whether a purpose is allowed: the latest recorded decision if there is one, else the default. */
export function isGranted(purpose: Purpose, latest: boolean | null | undefined): boolean {
  return latest ?? defaultConsent(purpose);
}

export interface ConsentState {
  granted: boolean;
  /** When the decision was recorded; null while the default applies. */
  at: Date | null;
  source: string;
  /** True when the customer never decided and the SPEC default applies. */
  default: boolean;
}

export type CurrentConsents = Record<Purpose, ConsentState>;

/** Rows of the latest decision per purpose (email channel) → the current state, defaults filled in. */
export function toCurrentConsents(
  rows: { purpose: Purpose; granted: boolean; at: Date; source: string }[],
): CurrentConsents {
  const current = {} as CurrentConsents;
  for (const purpose of PURPOSES) {
    const row = rows.find((r) => r.purpose === purpose);
    current[purpose] = row
      ? { granted: row.granted, at: row.at, source: row.source, default: false }
      : { granted: defaultConsent(purpose), at: null, source: 'default', default: true };
  }
  return current;
}
