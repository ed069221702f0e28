/**
 * Replays captured statements (bench/capture-sql.ts) raw through pg, as the baseline of an app request: values
 * are rewritten through `map` (captured value → this request's value), and every uuid a statement returned in
 * the capture is mapped to the uuid it returns now, so that later statements refer to the new rows.
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
        if (typeof v === 'string' && UUID.test(v) && typeof now === 'string' && now !== v) map.set(v, now);
      }
    });
  }
}
