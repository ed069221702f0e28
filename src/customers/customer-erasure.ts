import type { EntityManager } from 'typeorm';

/** What a blanked free text reads afterwards; a survey comment, an ownership reason or a mail error becomes NULL. */
export const ERASED_TEXT = '[erased]';

/** Reasons the code writes itself on an ownership row (not free text): kept. */
const OWNERSHIP_REASON_CODES = ['purchase', 'transfer', 'initial owner'];
/** Audit actions whose `reason` is the staff member's free text. */
const FREE_TEXT_AUDIT_ACTIONS = [
  'vehicle.transferred',
  'odometer.corrected',
  'service_visit.voided',
  'loyalty.adjusted',
];

/**
 * Erasure, part two: every free text the customer wrote or that staff wrote about them, in the tables
 * the erasure still writes itself (rows kept for statistics, the text dropped). Surveys and complaints
 * are blanked by the feedback module's listener of `customer.erased`; the stored at-risk row by analytics;
 * messages and their attempts by messaging's listener (messaging.listeners.ts).
 * The rest of these tables belong to other modules and are written here as before (issue 13 moves each
 * behind the event). Free text on a vehicle the customer owned (ownership reasons, reading notes, audit
 * reasons of transfers and corrections) is blanked for the whole vehicle: it may name them.
 *
 * Loyalty reasons (ledger, redemptions, stored answers) are blanked by the loyalty module's listener of the event.
 */
export async function eraseFreeText(m: EntityManager, customerId: string, now: Date): Promise<void> {
  const run = (sql: string, params: unknown[] = [customerId]) => m.query(sql, params);
  // The CRM timeline: calls, notes, replies, survey and task summaries.
  await run(`UPDATE interaction SET summary = '${ERASED_TEXT}' WHERE customer_id = $1`);
  // Tasks: titles typed by staff (generated titles name only the vehicle or a date) and outcomes.
  await run(
    `UPDATE task SET title = CASE WHEN type = 'manual' THEN '${ERASED_TEXT}' ELSE title END,
                     outcome = CASE WHEN outcome IS NULL THEN NULL ELSE '${ERASED_TEXT}' END,
                     version = version + 1, updated_at = $2
      WHERE customer_id = $1 AND (type = 'manual' OR outcome IS NOT NULL)`,
    [customerId, now],
  );
  // Service visits: void reasons and line descriptions (a catalogue line keeps the item's name).
  await run(
    `UPDATE service_visit SET void_reason = '${ERASED_TEXT}', version = version + 1, updated_at = $2
      WHERE customer_id = $1 AND void_reason IS NOT NULL`,
    [customerId, now],
  );
  await run(
    `UPDATE service_visit_line l
        SET description = coalesce((SELECT i.name FROM maintenance_item i WHERE i.code = l.item_code), '${ERASED_TEXT}')
      WHERE l.service_visit_id IN (SELECT v.id FROM service_visit v WHERE v.customer_id = $1)`,
  );
  // Vehicles the customer owned.
  const owned = `SELECT o.vehicle_id FROM vehicle_ownership o WHERE o.customer_id = $1::uuid`;
  await run(
    `UPDATE vehicle_ownership SET reason = NULL
      WHERE vehicle_id IN (${owned}) AND reason IS NOT NULL AND reason <> ALL ($2::text[])`,
    [customerId, OWNERSHIP_REASON_CODES],
  );
  await run(
    `UPDATE odometer_reading SET note = '${ERASED_TEXT}' WHERE vehicle_id IN (${owned}) AND note IS NOT NULL`,
  );
  // Staff's free-text reasons in the audit log (who did what, and when, stays).
  await run(
    `UPDATE audit_log SET reason = '${ERASED_TEXT}'
      WHERE reason IS NOT NULL AND action = ANY ($2::text[])
        AND (entity_id = $1::uuid::text
             OR (entity_type = 'vehicle' AND entity_id IN (SELECT vehicle_id::text FROM (${owned}) v))
             OR (entity_type = 'service_visit'
                 AND entity_id IN (SELECT id::text FROM service_visit WHERE customer_id = $1::uuid)))`,
    [customerId, FREE_TEXT_AUDIT_ACTIONS],
  );
}
