/**
 * The raw baseline for HTTP cases: bare Fastify + a pg Pool of the app's size, replaying the statements one app
 * request sent (captured with bench/capture-sql.js), with the captured id replaced by the requested one.
 *   BENCH_REPLAY=<file.json> PORT=<port> DATABASE_URL=<url> node -r ./test/support/swc-register.js bench/baseline-server.ts
 */
import Fastify from 'fastify';
import * as fs from 'node:fs';
import { Pool } from 'pg';

interface Replay {
  url: string;
  capturedId: string;
  queries: { text: string; values: unknown[] }[];
}

async function main() {
  const replays: Replay[] = JSON.parse(fs.readFileSync(process.env.BENCH_REPLAY!, 'utf8'));
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DB_POOL_SIZE ?? 10),
  });
  const app = Fastify({ logger: false });
  for (const replay of replays) {
    app.get(replay.url, async (req) => {
      const id = (req.params as { id: string }).id;
      const client = await pool.connect();
      try {
        const results: unknown[] = [];
        for (const q of replay.queries) {
          const values = q.values.map((v) => (v === replay.capturedId ? id : v));
          results.push((await client.query(q.text, values)).rows);
        }
        return { results };
      } finally {
        client.release();
      }
    });
  }
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
