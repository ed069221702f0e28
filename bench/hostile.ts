/**
 * How long can hostile requests hold the event loop? The app runs in its own process on a fresh embedded
 * database; a pinger calls /health every 5 ms and records each answer's latency while phases alternate
 * (A B A B): idle, then one unauthenticated client sending, back to back, the bodies that once stalled or
 * killed the server (100,000 nested brackets, 1 MB strings, CSV to the login, NUL bytes, lone surrogates):
 * the worst ping then bounds how long one such request holds the loop. A last phase floods with 20 such
 * clients at once (pings then also queue behind the other requests on these 2 shared cores).
 *   npm run bench:hostile [-- --seconds 5]
 * Prints health latency (p50, p99, max) per phase, what the hostile requests were answered, and writes
 * bench-results/hostile.json. It reports; it never fails a build (the tests prove the answers).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startApp } from './app-process';
import { numberArg, percentile, sleep, writeJson } from './support';

const SECONDS = numberArg('seconds', 5);
const CLIENTS = 20;

const BODIES: { name: string; path: string; type: string; body: string }[] = [
  {
    name: 'deep-array',
    path: '/auth/login',
    type: 'application/json',
    body: '['.repeat(100_000) + ']'.repeat(100_000),
  },
  {
    name: 'deep-object',
    path: '/surveys/not-a-token',
    type: 'application/json',
    body: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
  },
  { name: 'csv-to-login', path: '/auth/login', type: 'text/csv', body: 'email,password\nx,y\n'.repeat(1000) },
  {
    name: 'big-string',
    path: '/auth/login',
    type: 'application/json',
    body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(1_000_000) }),
  },
  {
    name: 'nul-and-surrogates',
    path: '/auth/login',
    type: 'application/json',
    body: JSON.stringify({ email: '\u0000'.repeat(10_000) + '\ud800', password: 'x' }),
  },
];

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-hostile-'));
  const app = await startApp({ DATABASE_URL: '', DATA_DIR: dataDir }, { login: false });
  const statuses: Record<string, Record<string, number>> = {};
  /** Round trip of each hostile request while it is the only one: what one such request costs the server. */
  const serialMs: Record<string, number[]> = {};
  const phases: { phase: string; samples: number[] }[] = [];
  let clients = 0;
  let stop = false;

  const pinger = (async () => {
    for (;;) {
      if (stop) return;
      const started = performance.now();
      await fetch(`${app.base}/health`).then((r) => r.arrayBuffer());
      phases[phases.length - 1]?.samples.push(performance.now() - started);
      await sleep(5);
    }
  })();

  const attacker = async (i: number) => {
    for (let n = i; !stop; n++) {
      if (i >= clients) {
        await sleep(10);
        continue;
      }
      const b = BODIES[n % BODIES.length];
      const started = performance.now();
      const status = await fetch(`${app.base}${b.path}`, {
        method: 'POST',
        headers: { 'content-type': b.type },
        body: b.body,
      })
        .then(async (r) => (await r.arrayBuffer(), String(r.status)))
        .catch(() => 'connection error');
      if (clients === 1) (serialMs[b.name] ??= []).push(performance.now() - started);
      statuses[b.name] ??= {};
      statuses[b.name][status] = (statuses[b.name][status] ?? 0) + 1;
    }
  };
  const attackers = Array.from({ length: CLIENTS }, (_, i) => attacker(i));

  for (const phase of ['idle', 'one client', 'idle', 'one client', `${CLIENTS} clients`]) {
    clients = phase === 'idle' ? 0 : phase === 'one client' ? 1 : CLIENTS;
    phases.push({ phase, samples: [] });
    await sleep(SECONDS * 1000);
  }
  stop = true;
  await Promise.all([pinger, ...attackers]);
  const alive = app.child.exitCode === null;
  await app.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const summary = phases.map(({ phase, samples }) => ({
    phase,
    pings: samples.length,
    p50Ms: +percentile(samples, 50).toFixed(1),
    p99Ms: +percentile(samples, 99).toFixed(1),
    maxMs: +Math.max(...samples).toFixed(1),
  }));
  const perRequest = Object.entries(serialMs).map(([body, ms]) => ({
    body,
    requests: ms.length,
    p50Ms: +percentile(ms, 50).toFixed(1),
    p99Ms: +percentile(ms, 99).toFixed(1),
    maxMs: +Math.max(...ms).toFixed(1),
  }));
  const result = {
    perRequest,
    clients: CLIENTS,
    secondsPerPhase: SECONDS,
    loadavg: os.loadavg(),
    alive,
    phases: summary,
    statuses,
  };
  console.table(summary);
  console.table(perRequest);
  console.log('answers to the hostile requests:', JSON.stringify(statuses));
  console.log(
    `app process still up: ${alive}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  writeJson(path.join('bench-results', 'hostile.json'), result);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
