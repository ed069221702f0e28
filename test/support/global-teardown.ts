import * as fs from 'node:fs';
import type { EmbeddedCluster } from '../../src/database/embedded-postgres';

export default async function globalTeardown() {
  const held = (globalThis as { __TEST_CLUSTER__?: { cluster: EmbeddedCluster; dir: string } })
    .__TEST_CLUSTER__;
  if (!held) return;
  await held.cluster.stop();
  fs.rmSync(held.dir, { recursive: true, force: true });
}
