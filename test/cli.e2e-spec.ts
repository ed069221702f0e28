import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MIGRATIONS } from '../migrations';
import { freePort } from '../src/database/embedded-postgres';
import { Child, startAppChild, stopChild } from './support/child-processes';
import { runCli } from './support/cli-child';

/**
 * The operator CLI in real separate processes (`node src/cli/main.ts`, as `npm run cli` runs dist/), on the
 * embedded PostgreSQL under a DATA_DIR of its own, beside a running app as an operator would use it.
 */
const ROOT = path.resolve(__dirname, '..');

function baseEnv(dataDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
}

const cli = (args: string[], dataDir: string) => runCli(args, baseEnv(dataDir));

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cli-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

const postmasterPid = (dataDir: string) => path.join(dataDir, 'pg', 'postmaster.pid');

async function ready(baseUrl: string): Promise<number> {
  return (await fetch(`${baseUrl}/api/v1/health/ready`)).status;
}

/** A process that holds the embedded cluster (like a long CLI command) until its stdin closes. */
async function holdCluster(dataDir: string): Promise<{ proc: ChildProcess; exited: Promise<number | null> }> {
  const code = `
    const { loadConfig } = require('./src/config/app-config');
    const { openDatabase } = require('./src/database/data-source');
    openDatabase(loadConfig({ DATA_DIR: process.env.DATA_DIR })).then(async (db) => {
      process.stdout.write('holding ' + (db.cluster.started ? 'started' : 'attached') + '\\n');
      process.stdin.resume();
      process.stdin.on('end', async () => {
        await db.dataSource.query('SELECT 1');
        await db.dataSource.destroy();
        await db.cluster.stop();
        process.exit(0);
      });
    });`;
  const proc = spawn(process.execPath, ['-r', './test/support/swc-register.js', '-e', code], {
    cwd: ROOT,
    env: baseEnv(dataDir),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('holding')) resolve();
    });
    void exited.then(() => reject(new Error('the holder exited early')));
  });
  return { proc, exited };
}

describe('operator CLI on the embedded PostgreSQL', () => {
  const dirs: string[] = [];
  const apps: Child[] = [];
  afterAll(async () => {
    for (const app of apps) await stopChild(app);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs beside a running app and leaves the app answering', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const app = await startAppChild(
      { ...baseEnv(dataDir), PORT: String(await freePort()) },
      path.join(dataDir, 'app.log'),
    );
    apps.push(app);
    expect(await ready(app.baseUrl)).toBe(200);

    const status = await cli(['migrate:status'], dataDir);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const admin = await cli(
      ['admin:create', '--email', 'night.manager@cli.test', '--password', 'Tonle-Sap-riverside-2026'],
      dataDir,
    );
    expect(admin.stderr).toBe('');
    expect(admin.code).toBe(0);

    // The app still answers from the same cluster, and sees what the CLI wrote.
    expect(await ready(app.baseUrl)).toBe(200);
    const login = await fetch(`${app.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'night.manager@cli.test', password: 'Tonle-Sap-riverside-2026' }),
    });
    expect(login.status).toBe(200);

    // The app started the cluster, so stopping the app stops it.
    await stopChild(app);
    expect(fs.existsSync(postmasterPid(dataDir))).toBe(false);
  }, 300_000);

  it('starts the cluster for a command when nothing runs, and stops it afterwards', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const run = await cli(['migrate'], dataDir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(postmasterPid(dataDir))).toBe(false);
  }, 180_000);

  it('shares a cluster that a command started with an app started meanwhile, and keeps it for the app', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const holder = await holdCluster(dataDir);
    const app = await startAppChild(
      { ...baseEnv(dataDir), PORT: String(await freePort()) },
      path.join(dataDir, 'app.log'),
    );
    apps.push(app);

    // The holder still reaches its database after the app started (nothing stopped it)...
    holder.proc.stdin!.end();
    expect(await holder.exited).toBe(0);
    // ...and its leaving does not stop the cluster under the app.
    expect(await ready(app.baseUrl)).toBe(200);
    expect(fs.existsSync(postmasterPid(dataDir))).toBe(true);

    // The last process to let go stops it.
    await stopChild(app);
    expect(fs.existsSync(postmasterPid(dataDir))).toBe(false);
  }, 300_000);

  it('clears a dead cluster’s leftover postmaster.pid and starts', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    expect((await cli(['migrate'], dataDir)).code).toBe(0);
    // A pid that is surely not a postgres process: this test's own.
    fs.writeFileSync(postmasterPid(dataDir), `${process.pid}\n${path.join(dataDir, 'pg')}\n0\n5432\n`);
    const again = await cli(['migrate:status'], dataDir);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(fs.existsSync(postmasterPid(dataDir))).toBe(false);
  }, 180_000);
});

describe('migrate:status', () => {
  const dataDir = tempDataDir();
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const names = MIGRATIONS.map((m) => m.name);
  /** The `applied`/`pending` lines of the listing, as [state, name]. */
  const listing = async () => {
    const run = await cli(['migrate:status'], dataDir);
    expect(run.code).toBe(0);
    return {
      rows: run.stdout
        .split('\n')
        .map((l) => /^\s+(applied|pending)\s+(\S+)/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1], m[2]]),
      summary: run.stdout.trim().split('\n').pop(),
    };
  };

  it('lists every migration by name as applied or pending, in order', async () => {
    const fresh = await listing();
    expect(fresh.rows).toEqual(names.map((n) => ['pending', n]));
    expect(fresh.summary).toMatch(new RegExp(`^0 applied, ${names.length} pending`));

    expect((await cli(['migrate'], dataDir)).code).toBe(0);
    const migrated = await listing();
    expect(migrated.rows).toEqual(names.map((n) => ['applied', n]));
    expect(migrated.summary).toBe(`${names.length} applied, 0 pending`);

    expect((await cli(['migrate:revert'], dataDir)).code).toBe(0);
    const reverted = await listing();
    expect(reverted.rows).toEqual(names.map((n, i) => [i === names.length - 1 ? 'pending' : 'applied', n]));
  }, 300_000);
});

describe('npm run cli / npm start build step (scripts/build.js)', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-build-'));
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    fs.writeFileSync(path.join(project, file), text);
  };
  const build = () =>
    new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['scripts/build.js', '--if-stale'],
        { cwd: project },
        (error, stdout, stderr) => (error ? reject(new Error(stderr || stdout)) : resolve(stdout + stderr)),
      ),
    );
  const stamp = () => path.join(project, 'dist', '.build-stamp');
  /** Pretends the last build is a minute old, so that a change made now is surely newer. */
  const ageLastBuild = () => {
    const then = new Date(Date.now() - 60_000);
    fs.utimesSync(stamp(), then, then);
  };

  it('is what npm start and npm run cli run before they start', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.precli).toBe('node scripts/build.js --if-stale');
    expect(pkg.scripts.prestart).toBe('node scripts/build.js --if-stale');
  });

  it('compiles only when a source changed or was removed since the last build', async () => {
    fs.mkdirSync(path.join(project, 'scripts'));
    fs.copyFileSync(path.join(ROOT, 'scripts', 'build.js'), path.join(project, 'scripts', 'build.js'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    write(
      'nest-cli.json',
      JSON.stringify({ compilerOptions: { tsConfigPath: 'tsconfig.build.json', deleteOutDir: true } }),
    );
    write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'ES2023', rootDir: '.', outDir: 'dist', types: [] },
      }),
    );
    write('tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', include: ['src/**/*'] }));
    write('src/main.ts', `export const version = 1;\n`);
    write('src/extra.ts', `export const extra = true;\n`);

    expect(await build()).toMatch(/Compiling/);
    expect(fs.readFileSync(path.join(project, 'dist/src/main.js'), 'utf8')).toContain('version = 1');
    const built = fs.statSync(stamp()).mtimeMs;

    expect(await build()).toBe('');
    expect(fs.statSync(stamp()).mtimeMs).toBe(built);

    ageLastBuild();
    write('src/main.ts', `export const version = 2;\n`);
    expect(await build()).toMatch(/Compiling/);
    expect(fs.readFileSync(path.join(project, 'dist/src/main.js'), 'utf8')).toContain('version = 2');

    ageLastBuild();
    fs.rmSync(path.join(project, 'src/extra.ts'));
    expect(await build()).toMatch(/Compiling/);
    expect(fs.existsSync(path.join(project, 'dist/src/extra.js'))).toBe(false);
  }, 120_000);
});
