import type { EntityManager } from 'typeorm';
import type { Channel } from '../common/channels';
import { isGranted, type Purpose } from './consent-rules';

/** Key of a decision in the map `consentDecisions` answers. */
export const consentKey = (customerId: string, purpose: Purpose, channel: Channel) =>
  `${customerId}|${purpose}|${channel}`;

/**
 * Whether each (customer, purpose, channel) is allowed, decided by customers' rule: the latest entry on that
 * channel, else the default (relationship purposes allowed until withdrawn on every channel — a Telegram chat
 * exists only once the customer linked it, which records consent; marketing needs an opt-in per channel).
 * Set-based, for messaging's sending rules over a claimed batch (one query, not one per message).
 * Deliberately not limited to entries before an "as of" instant: a withdrawal recorded "later" than a
 * back-dated run must still stop a message that would leave now. Served by consent_current_idx.
 */
export async function consentDecisions(
  manager: EntityManager,
  triples: { customerId: string; purpose: Purpose; channel: Channel }[],
): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  if (triples.length === 0) return out;
  const rows: { customer_id: string; purpose: Purpose; channel: Channel; granted: boolean }[] =
    await manager.query(
      `SELECT k.customer_id, k.purpose, k.channel, k.granted
         FROM (SELECT DISTINCT c, p, ch FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(c, p, ch)) x
         CROSS JOIN LATERAL (
           SELECT customer_id, purpose, channel, granted FROM consent
            WHERE customer_id = x.c AND purpose = x.p AND channel = x.ch
            ORDER BY at DESC, id DESC LIMIT 1) k`,
      [triples.map((t) => t.customerId), triples.map((t) => t.purpose), triples.map((t) => t.channel)],
    );
  const latest = new Map(rows.map((r) => [consentKey(r.customer_id, r.purpose, r.channel), r.granted]));
  for (const { customerId, purpose, channel } of triples) {
    const key = consentKey(customerId, purpose, channel);
    out.set(key, isGranted(purpose, latest.get(key)));
  }
  return out;
}
