/**
 * Replays captured statements (bench/capture-sql.ts) raw through pg, as the baseline of an app request: values
 * are rewritten through `map` (captured value → this request's value), and every uuid a statement returned in
 * the capture is mapped to the uuid it returns now (and a bigint id returned as text in an "id" column), so that
 * later statements refer to the new rows. Array values are rewritten element by element.
 */
import type { ClientBase } from 'pg';

export interface Captured {
  text: string;
  values: unknown[];
  rows: Record<string, unknown>[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function replay(client: ClientBase, statements: Captured[], map: Map<string, string>) {
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (typeof v !== 'string') return v;
    let out = map.get(v) ?? v;
    if (out === v)
      for (const [from, to] of map) if (from.length > 8 && out.includes(from)) out = out.split(from).join(to);
    return out;
  };
  for (const s of statements) {
    const result = await client.query(s.text, s.values.map(rewrite));
    s.rows.forEach((row, i) => {
      for (const [k, v] of Object.entries(row)) {
        const now = result.rows[i]?.[k];
        // uuids, and bigint ids returned as text (ledger entry ids) in an "id" column.
        const mapped = UUID.test(String(v)) || (k === 'id' && /^\d+$/.test(String(v)));
        if (typeof v === 'string' && mapped && typeof now === 'string' && now !== v) map.set(v, now);
      }
    });
  }
}
