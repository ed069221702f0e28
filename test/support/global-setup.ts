import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedPostgres, EmbeddedCluster } from '../../src/database/embedded-postgres';

/**
 * One PostgreSQL for the whole run: the embedded one (fsync off, it is throwaway), or the server named by
 * DATABASE_URL. Every test file then gets a fresh database of its own (see test-app.ts).
 */
export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_PG_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = path.resolve('.data', `test-pg-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const cluster: EmbeddedCluster = await startEmbeddedPostgres({
    dataDir: dir,
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
  });
  process.env.TEST_PG_ADMIN_URL = cluster.url('postgres');
  (globalThis as { __TEST_CLUSTER__?: { cluster: EmbeddedCluster; dir: string } }).__TEST_CLUSTER__ = {
    cluster,
    dir,
  };
  // Jest has no SIGTERM handler of its own: exit so that the cluster's exit hook stops postgres.
  process.once('SIGTERM', () => process.exit(143));
  process.once('SIGINT', () => process.exit(130));
}
