/**
 * Memory of the process `npm start` runs. A login verifies an argon2id hash with 19 MiB of working memory, in one of
 * libuv's 4 pool threads. With glibc's defaults each of those threads kept its last 19 MiB after the hash was done
 * (the dynamic mmap threshold rises to the size of the first freed buffer, so later ones come from the thread's
 * arena and stay there): ~76 MB held for good after a few logins. package.json's start script pins the threshold
 * (and caps the arenas at 2), so those buffers are mapped and given back each time.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startScriptEnv } from './support/start-script';

const ROOT = path.join(__dirname, '..');

// Four logins at once, five times over, with the app's hasher and its argon2 settings; prints the RSS growth in MB.
const LOGINS = `
const { PasswordHasher } = require('./src/auth/password-hasher.ts');
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
(async () => {
  const hasher = new PasswordHasher();
  const before = rss();
  const hash = await hasher.hash('correct horse battery staple');
  for (let round = 0; round < 5; round++) {
    const ok = await Promise.all([1, 2, 3, 4].map(() => hasher.verify(hash, 'correct horse battery staple')));
    if (!ok.every(Boolean)) throw new Error('verify failed');
  }
  process.stdout.write(String(Math.round(rss() - before)));
})();
`;

function growthMb(env: Record<string, string>): number {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_')));
  const run = spawnSync(process.execPath, ['-r', './test/support/swc-register.js', '-e', LOGINS], {
    cwd: ROOT,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout);
}

const linux =
  process.platform === 'linux' &&
  (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })?.header?.glibcVersionRuntime;

(linux ? describe : describe.skip)('memory of the started app (glibc)', () => {
  it('argon2 logins give their 19 MiB back under the start script, and keep it without (the control)', () => {
    const withStartEnv = growthMb(startScriptEnv());
    const withoutIt = growthMb({});
    // Less than one login's working memory stays; without the variables at least two threads' worth does.
    expect(withStartEnv).toBeLessThan(19);
    expect(withoutIt).toBeGreaterThan(2 * 19);
  });
});
