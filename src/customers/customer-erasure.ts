import type { EntityManager } from 'typeorm';

/** What a blanked free text reads afterwards; a survey comment, an ownership reason or a mail error becomes NULL. */
export const ERASED_TEXT = '[erased]';

/**
 * Erasure, part two: every free text the customer wrote or that staff wrote about them, in the customers
 * module's own tables (rows kept for statistics, the text dropped). Every other module blanks its own rows
 * in its listener of `customer.erased`, in the same transaction: feedback (surveys, complaints), analytics
 * (the stored at-risk row), messaging (messages and attempts), loyalty (ledger and redemption reasons), tasks
 * (typed titles, outcomes), service-visits (void reasons, line texts), vehicles (ownership reasons, reading
 * notes, for every vehicle the customer owned) and audit (free-text reasons; vehicles and service-visits blank
 * those of their own records through `AuditService.eraseReasons`).
 */
export async function eraseFreeText(m: EntityManager, customerId: string): Promise<void> {
  // The CRM timeline: calls, notes, replies, survey and task summaries.
  await m.query(`UPDATE interaction SET summary = '${ERASED_TEXT}' WHERE customer_id = $1`, [customerId]);
}
