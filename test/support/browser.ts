import * as fs from 'node:fs';

/** Debian's Chromium (see ../shared/STACK.md); override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const available = fs.existsSync(CHROMIUM);
// CI sets REQUIRE_BROWSER_TESTS=1 (.ci/run): there a missing browser is a failure, never a silent skip.
const required = process.env.REQUIRE_BROWSER_TESTS === '1';
const HOW = `install it with "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH) to run them`;

function announceSkip(name: string) {
  process.stderr.write(
    `\n  SKIPPED real-browser tests "${name}": Chromium not found at ${CHROMIUM}; ${HOW}.\n\n`,
  );
}

/** A describe block that needs real headless Chromium: skipped with a plain message when it is missing. */
export function describeInBrowser(name: string, fn: () => void): void {
  if (available) return describe(name, fn);
  if (required)
    return describe(name, () =>
      it('has Chromium installed', () => expect(`Chromium at ${CHROMIUM}`).toBe(`installed: ${HOW}`)),
    );
  announceSkip(name);
  describe.skip(name, fn);
}

/** One test that needs real headless Chromium. */
export function itInBrowser(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (available) return it(name, fn, timeout);
  if (required) return it(name, () => expect(`Chromium at ${CHROMIUM}`).toBe(`installed: ${HOW}`));
  announceSkip(name);
  it.skip(name, fn, timeout);
}
