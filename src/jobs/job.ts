/** The jobs of SPEC "API shape", by name. */
export const JOB_NAMES = [
  'service-reminders',
  'follow-ups',
  'outbox-dispatch',
  'complaint-sla',
  'loyalty-tiers',
  'loyalty-expiry',
  'customer-risk',
  'appointment-reminders',
  'appointment-no-shows',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export type JobResult = Record<string, number | string | boolean | null>;

/**
 * A scheduled job. `run(asOf)` treats `asOf` as "now" throughout, so an operator can back-fill and a test
 * can travel in time. Effects must be idempotent: unique keys make a re-run for the same instant a no-op.
 */
export interface Job {
  readonly name: JobName;
  /** Exclusive jobs (planners) take a PostgreSQL advisory lock so two instances never overlap. */
  readonly exclusive: boolean;
  run(asOf: Date): Promise<JobResult>;
}
