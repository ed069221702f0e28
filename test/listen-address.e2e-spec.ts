import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { freePort } from '../src/database/embedded-postgres';
import { Child, startAppChild, stopChild } from './support/child-processes';

/**
 * HOST: the address the HTTP server listens on. The app runs in its own process (npm start's code path); a
 * second address of this machine tells whether it listens on every interface or on the loopback only: a
 * non-loopback IPv4 address when the machine has one, else 127.0.0.2 (Linux routes all of 127/8 to lo).
 */
const otherAddress =
  Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.2';

/** Whether a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(5000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('HOST (the listen address)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-host-'));
  fs.chmodSync(dataDir, 0o755);
  let app: Child | undefined;
  afterEach(async () => {
    if (app) await stopChild(app);
    app = undefined;
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function start(env: Record<string, string>) {
    const port = await freePort();
    app = await startAppChild(
      { DATA_DIR: dataDir, PORT: String(port), ...env },
      path.join(dataDir, `app-${port}.log`),
    );
    return port;
  }

  it('HOST=127.0.0.1 listens on this machine only', async () => {
    const port = await start({ HOST: '127.0.0.1' });
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts(otherAddress, port)).toBe(false);
  }, 300_000);

  it('listens on every interface by default (0.0.0.0)', async () => {
    const port = await start({});
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts(otherAddress, port)).toBe(true);
  }, 300_000);

  it('refuses to start with a HOST that is not an address, naming the setting', () => {
    for (const bad of ['', 'example.com', '300.1.1.1', '0.0.0.0:3000']) {
      expect(() => loadConfig({ HOST: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ HOST: bad })).toThrow(/HOST: HOST must be an IP address/);
    }
    expect(loadConfig({ HOST: '::' }).HOST).toBe('::');
    expect(loadConfig({ HOST: '127.0.0.1' }).HOST).toBe('127.0.0.1');
    expect(loadConfig({}).HOST).toBe('0.0.0.0');
  });
});
