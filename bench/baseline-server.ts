/**
 * The raw baselines for HTTP cases: bare Fastify + a pg Pool of the app's size.
 *  - replay: the statements one app request sent (captured with bench/capture-sql.ts), with the captured id
 *    replaced by the requested one (the framework's overhead);
 *  - hand-written (when JWT_SECRET is set): GET /hand/customers/:id/360 verifies the bearer token (HS256, expiry)
 *    and answers the 360 document built by one statement (bench/hand-written.ts), sent as PostgreSQL made it.
 *   BENCH_REPLAY=<file.json> PORT=<port> DATABASE_URL=<url> [JWT_SECRET=…] node -r ./test/support/swc-register.js bench/baseline-server.ts
 */
import Fastify from 'fastify';
import * as jwt from 'jsonwebtoken';
import * as fs from 'node:fs';
import { Pool } from 'pg';
import { HAND_360_SQL } from './hand-written';
import { prepared } from './replay';
import { appPoolSize } from './support';

interface Replay {
  url: string;
  capturedId: string;
  queries: { text: string; values: unknown[] }[];
}

async function main() {
  const replays: Replay[] = JSON.parse(fs.readFileSync(process.env.BENCH_REPLAY!, 'utf8'));
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: appPoolSize(),
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
          results.push((await client.query(prepared(q.text, values))).rows);
        }
        return { results };
      } finally {
        client.release();
      }
    });
  }
  const secret = process.env.JWT_SECRET;
  if (secret) {
    const key = Buffer.from(secret);
    app.get('/hand/customers/:id/360', async (req, reply) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      let sub: unknown;
      try {
        const payload = jwt.verify(token ?? '', key, { algorithms: ['HS256'] }) as jwt.JwtPayload;
        if (typeof payload.exp !== 'number') throw new Error('no expiry');
        sub = payload.sub;
      } catch {
        return reply.code(401).send({ status: 401 });
      }
      const id = (req.params as { id: string }).id;
      const { rows } = await pool.query({
        name: 'hand360',
        text: HAND_360_SQL,
        values: [id, sub, new Date()],
      });
      if (!rows[0]) return reply.code(404).send({ status: 404 });
      return reply.type('application/json').send(rows[0].doc);
    });
  }
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
