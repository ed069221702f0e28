import type { EntityManager } from 'typeorm';
import { isGranted, type Purpose } from './consent-rules';

/** Key of a decision in the map `consentDecisions` answers. */
export const consentKey = (customerId: string, purpose: Purpose) => `${customerId}|${purpose}`;

/**
 * Whether email is allowed for each (customer, purpose), decided by customers' rule: the latest entry,
 * else the default. Set-based, for messaging's sending rules over a claimed batch (one query, not one per
 * message). Deliberately not limited to entries before an "as of" instant: a withdrawal recorded "later"
 * than a back-dated run must still stop an email that would leave now. Served by consent_current_idx.
 */
export async function consentDecisions(
  manager: EntityManager,
  pairs: { customerId: string; purpose: Purpose }[],
): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  if (pairs.length === 0) return out;
  const rows: { customer_id: string; purpose: Purpose; granted: boolean }[] = await manager.query(
    `SELECT k.customer_id, k.purpose, k.granted
       FROM (SELECT DISTINCT c, p FROM unnest($1::uuid[], $2::text[]) AS x(c, p)) x
       CROSS JOIN LATERAL (
         SELECT customer_id, purpose, granted FROM consent
          WHERE customer_id = x.c AND purpose = x.p AND channel = 'email'
          ORDER BY at DESC, id DESC LIMIT 1) k`,
    [pairs.map((p) => p.customerId), pairs.map((p) => p.purpose)],
  );
  const latest = new Map(rows.map((r) => [consentKey(r.customer_id, r.purpose), r.granted]));
  for (const { customerId, purpose } of pairs) {
    const key = consentKey(customerId, purpose);
    out.set(key, isGranted(purpose, latest.get(key)));
  }
  return out;
}
