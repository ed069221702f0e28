/**
 * Replays captured statements (bench/capture-sql.ts) raw through pg, as the baseline of an app request: values
 * are rewritten through `map` (captured value → this request's value), and every uuid a statement returned in
 * the capture is mapped to the uuid it returns now (and a bigint id returned as text under an "id" key, also inside
 * json columns), so that later statements refer to the new rows. Array values are rewritten element by element.
 */
import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';

export interface Captured {
  text: string;
  values: unknown[];
  rows: Record<string, unknown>[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A replayed statement as a named (prepared) one, except transaction control: the raw baseline parses and plans
 * each statement once per connection, as the app does for its hot statements (the 360 view, the ledger's).
 */
export function prepared(
  text: string,
  values: unknown[],
): { text: string; values: unknown[]; name?: string } {
  if (/^\s*(BEGIN|START TRANSACTION|COMMIT|ROLLBACK)\b/i.test(text)) return { text, values };
  return { name: `r_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values };
}

export async function replay(client: ClientBase, statements: Captured[], map: Map<string, string>) {
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (typeof v !== 'string') return v;
    let out = map.get(v) ?? v;
    if (out === v)
      for (const [from, to] of map) if (from.length > 8 && out.includes(from)) out = out.split(from).join(to);
    return out;
  };
  // uuids, and bigint ids returned as text (ledger entry ids) under an "id" key — at the top level of a row or
  // inside a json column (e.g. the open lots a lock statement returns as json_agg), walked in parallel.
  const learn = (captured: unknown, now: unknown, key: string): void => {
    if (Array.isArray(captured) && Array.isArray(now)) {
      captured.forEach((c, i) => learn(c, now[i], key));
    } else if (captured && now && typeof captured === 'object' && typeof now === 'object') {
      for (const [k, v] of Object.entries(captured)) learn(v, (now as Record<string, unknown>)[k], k);
    } else if (typeof captured === 'string' && typeof now === 'string' && now !== captured) {
      if (UUID.test(captured) || (key === 'id' && /^\d+$/.test(captured))) map.set(captured, now);
    }
  };
  for (const s of statements) {
    const result = await client.query(prepared(s.text, s.values.map(rewrite)));
    s.rows.forEach((row, i) => learn(row, result.rows[i], ''));
  }
}
