/** The dispatcher's tuning and the retry rule (SPEC "Sending rules"). */

/** Rows claimed per batch. */
export const DISPATCH_BATCH_SIZE = 100;
/**
 * How long a claim is held. Longer than the slowest SMTP exchange (socket timeout 30 s) so that a live
 * worker keeps its claim; a dead worker's claim is taken over after it.
 */
export const LEASE_SECONDS = 60;
/** Messages sent at the same time by one worker (the SMTP pool holds up to 5 connections). */
export const DISPATCH_CONCURRENCY = 5;
/** Batches per job run, so one run cannot go on for ever. */
export const MAX_BATCHES_PER_RUN = 20;
/** SPEC: 4xx / connection errors are retried with back-off from 1 min up to 6 h, for 48 h. */
export const RETRY_WINDOW_HOURS = 48;
const MIN_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 6 * 3_600_000;

export function backoffMs(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
}
