/** Rows the search walks in cursor order (customer_search_walk_idx) before it decides how to go on. */
export const SEARCH_WINDOW = 10_000;

/** Below this many customers the walk never goes past SEARCH_WINDOW: the trigram path costs ~1 ms there. */
const EXTEND_FROM_CUSTOMERS = 250_000;
/** Share of the customers the walk may go on through past SEARCH_WINDOW, up to EXTENSION_MAX rows. */
const EXTENSION_SHARE = 0.03;
const EXTENSION_MAX = 30_000;

/**
 * How far past the window (SEARCH_WINDOW rows) the walk may go on for a term that fell short in it, at this many
 * customers (pg_class.reltuples of customer). The trigram path reads every match, so its cost grows with the
 * table (~10 ms for a term of 0.17 % at 1 M customers, ~1 ms at 100 k), while walking on costs the same at any
 * size; hence none below EXTEND_FROM_CUSTOMERS and up to EXTENSION_MAX (30,000 at 1 M).
 */
export function searchExtension(customers: number): number {
  if (!(customers >= EXTEND_FROM_CUSTOMERS)) return 0;
  return Math.min(EXTENSION_MAX, Math.round((customers * EXTENSION_SHARE) / 1000) * 1000);
}

/**
 * The fewest matches among the window's SEARCH_WINDOW rows for which the walk goes on through `extension` more
 * rows: as many as say, at the window's rate, that the page (limit + 1 matches) fills within them. A term with
 * fewer (no match, a rare name, a phone number) goes to the trigram path at once and never pays the extension.
 * Infinity when there is no extension.
 */
export function extensionThreshold(limit: number, extension: number): number {
  if (extension <= 0) return Infinity;
  return Math.ceil(((limit + 1) * SEARCH_WINDOW) / (SEARCH_WINDOW + extension));
}
