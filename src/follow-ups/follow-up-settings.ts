/**
 * Per-rooftop follow-up cadence settings: `rooftop.settings.followUps` (JSON), merged over the SPEC defaults.
 * Every key is optional; a missing or malformed value falls back to its default, so a typo never stops the job.
 *
 * {
 *   "sendAt": "09:00",                 // local time (rooftop zone) of date-based moments
 *   "lookbackDays": 7,                 // a run for asOf fires moments in (asOf − lookbackDays, asOf]
 *   "saleThankYou":   { "enabled": true, "offsetDays": 1 },
 *   "saleCallTask":   { "enabled": true, "offsetDays": 3 },
 *   "saleSurvey":     { "enabled": true, "offsetDays": 7 },
 *   "saleCheckIn":    { "enabled": true, "offsetDays": 30 },
 *   "purchaseAnniversary": { "enabled": true },
 *   "serviceSurvey":  { "enabled": true, "offsetDays": 2 },
 *   "declinedService": { "enabled": true, "offsetDays": 14 },
 *   "termEnd":        { "enabled": true, "daysBefore": [180, 90, 30] },
 *   "warrantyExpiring": { "enabled": true, "daysBefore": 60, "withinDistance": 2000 },
 *   "birthday":       { "enabled": true },
 *   "winBack":        { "enabled": true, "afterMonths": 12 }
 * }
 */
export interface OffsetCadence {
  enabled: boolean;
  offsetDays: number;
}

export interface FollowUpSettings {
  sendAt: string;
  lookbackDays: number;
  saleThankYou: OffsetCadence;
  saleCallTask: OffsetCadence;
  saleSurvey: OffsetCadence;
  saleCheckIn: OffsetCadence;
  purchaseAnniversary: { enabled: boolean };
  serviceSurvey: OffsetCadence;
  declinedService: OffsetCadence;
  termEnd: { enabled: boolean; daysBefore: number[] };
  /** withinDistance is in the deployment's DISTANCE_UNIT (2,000 km; 1,243 mi when DISTANCE_UNIT=mi). */
  warrantyExpiring: { enabled: boolean; daysBefore: number; withinDistance: number | null };
  birthday: { enabled: boolean };
  winBack: { enabled: boolean; afterMonths: number };
}

export const DEFAULT_FOLLOW_UP_SETTINGS: FollowUpSettings = {
  sendAt: '09:00',
  lookbackDays: 7,
  saleThankYou: { enabled: true, offsetDays: 1 },
  saleCallTask: { enabled: true, offsetDays: 3 },
  saleSurvey: { enabled: true, offsetDays: 7 },
  saleCheckIn: { enabled: true, offsetDays: 30 },
  purchaseAnniversary: { enabled: true },
  serviceSurvey: { enabled: true, offsetDays: 2 },
  declinedService: { enabled: true, offsetDays: 14 },
  termEnd: { enabled: true, daysBefore: [180, 90, 30] },
  warrantyExpiring: { enabled: true, daysBefore: 60, withinDistance: null },
  birthday: { enabled: true },
  winBack: { enabled: true, afterMonths: 12 },
};

/** SPEC "projected within 2,000 km" in the deployment's unit. */
export const WARRANTY_DISTANCE: Record<'km' | 'mi', number> = { km: 2000, mi: 1243 };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown, min: number, max: number): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

function offset(raw: unknown, def: OffsetCadence): OffsetCadence {
  const o = isObject(raw) ? raw : {};
  return {
    enabled: bool(o.enabled) ?? def.enabled,
    offsetDays: int(o.offsetDays, 0, 3650) ?? def.offsetDays,
  };
}

function toggle(raw: unknown, def: { enabled: boolean }): { enabled: boolean } {
  return { enabled: bool(isObject(raw) ? raw.enabled : undefined) ?? def.enabled };
}

/** Merges `rooftop.settings.followUps` over the defaults. */
export function resolveFollowUpSettings(
  rooftopSettings: unknown,
  unit: 'km' | 'mi' = 'km',
): FollowUpSettings {
  const raw =
    isObject(rooftopSettings) && isObject(rooftopSettings.followUps) ? rooftopSettings.followUps : {};
  const d = DEFAULT_FOLLOW_UP_SETTINGS;
  const termRaw = isObject(raw.termEnd) ? raw.termEnd : {};
  const daysBefore = Array.isArray(termRaw.daysBefore)
    ? termRaw.daysBefore.map((v) => int(v, 1, 3650))
    : undefined;
  const warrantyRaw = isObject(raw.warrantyExpiring) ? raw.warrantyExpiring : {};
  const winBackRaw = isObject(raw.winBack) ? raw.winBack : {};
  const sendAt =
    typeof raw.sendAt === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(raw.sendAt) ? raw.sendAt : d.sendAt;
  return {
    sendAt,
    lookbackDays: int(raw.lookbackDays, 1, 60) ?? d.lookbackDays,
    saleThankYou: offset(raw.saleThankYou, d.saleThankYou),
    saleCallTask: offset(raw.saleCallTask, d.saleCallTask),
    saleSurvey: offset(raw.saleSurvey, d.saleSurvey),
    saleCheckIn: offset(raw.saleCheckIn, d.saleCheckIn),
    purchaseAnniversary: toggle(raw.purchaseAnniversary, d.purchaseAnniversary),
    serviceSurvey: offset(raw.serviceSurvey, d.serviceSurvey),
    declinedService: offset(raw.declinedService, d.declinedService),
    termEnd: {
      enabled: bool(termRaw.enabled) ?? d.termEnd.enabled,
      daysBefore:
        daysBefore && daysBefore.length > 0 && daysBefore.every((v) => v !== undefined)
          ? [...new Set(daysBefore)]
          : d.termEnd.daysBefore,
    },
    warrantyExpiring: {
      enabled: bool(warrantyRaw.enabled) ?? d.warrantyExpiring.enabled,
      daysBefore: int(warrantyRaw.daysBefore, 1, 3650) ?? d.warrantyExpiring.daysBefore,
      withinDistance: int(warrantyRaw.withinDistance, 0, 1_000_000) ?? WARRANTY_DISTANCE[unit],
    },
    birthday: toggle(raw.birthday, d.birthday),
    winBack: {
      enabled: bool(winBackRaw.enabled) ?? d.winBack.enabled,
      afterMonths: int(winBackRaw.afterMonths, 1, 120) ?? d.winBack.afterMonths,
    },
  };
}
