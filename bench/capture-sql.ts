/**
 * Preloaded into the app under test (node -r bench/capture-sql.ts, after swc-register) when BENCH_CAPTURE_SQL
 * names a file: appends every statement the app sends through pg, with its result rows ({ text, values, rows },
 * one JSON line each, in completion order). The bench reads the lines one request produced and replays them raw
 * through pg as that request's baseline: "the same SQL" (bench/replay.ts).
 */
import * as fs from 'node:fs';
import { Client } from 'pg';

const file = process.env.BENCH_CAPTURE_SQL;
// Recording is off until the bench asks for it (a `<file>.on` marker around the one request it captures), so the
// timed load does not pay for a synchronous file append per statement. (Not a signal: Nest's shutdown hooks
// treat SIGUSR2 as a shutdown request.)
let recording = false;
if (file) {
  setInterval(() => {
    recording = fs.existsSync(`${file}.on`);
  }, 5).unref();
  const query = Client.prototype.query;
  // pg's query() is heavily overloaded; the wrapper only looks at its first two arguments and at a promise result.
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const [config, values] = args as [string | { text?: string; values?: unknown[] }, unknown];
    const text = typeof config === 'string' ? config : config?.text;
    const params = Array.isArray(values) ? values : typeof config === 'object' ? config?.values : undefined;
    const record = (r: { rows?: unknown[] } | undefined) =>
      fs.appendFileSync(file, JSON.stringify({ text, values: params ?? [], rows: r?.rows ?? [] }) + '\n');
    // pg-pool's query() (a named statement on the pool) passes a callback: record through it.
    const callback = args[args.length - 1];
    if (recording && typeof text === 'string' && typeof callback === 'function') {
      args[args.length - 1] = (err: unknown, r: { rows?: unknown[] }) => {
        if (!err) record(r);
        return (callback as (e: unknown, r: unknown) => unknown)(err, r);
      };
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    }
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (recording && typeof text === 'string' && result instanceof Promise)
      result.then(record, () => undefined);
    return result;
  } as typeof Client.prototype.query;
}
