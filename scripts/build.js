#!/usr/bin/env node
// Compiles the TypeScript sources into dist/ with tsc, using the settings in nest-cli.json
// (tsConfigPath, deleteOutDir). The Nest CLI is not installed: its toolchain wants Node 22.
//
//   node scripts/build.js             build now (npm run build)
//   node scripts/build.js --if-stale  build only when a source, config or folder changed since the last
//                                      build (npm start, npm run cli: most calls then start at once)
//   node scripts/build.js --watch     recompile on change and restart the app (npm run start:dev)
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const nestCli = JSON.parse(fs.readFileSync(path.join(root, 'nest-cli.json'), 'utf8'));
const tsconfigPath = path.join(root, nestCli.compilerOptions?.tsConfigPath ?? 'tsconfig.build.json');
const buildConfig = JSON.parse(fs.readFileSync(tsconfigPath, 'utf8'));
const outDir = path.join(root, 'dist');
const stamp = path.join(outDir, '.build-stamp');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });

/** Newest modification time among the inputs. Folders count too: deleting a file changes its folder's mtime. */
function newestInput() {
  const tops = new Set(buildConfig.include.map((pattern) => pattern.split('/')[0]));
  let newest = 0;
  const visit = (p) => {
    let stat;
    try {
      stat = fs.statSync(p);
    } catch {
      return;
    }
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  for (const top of tops) visit(path.join(root, top));
  for (const file of ['tsconfig.json', path.basename(tsconfigPath), 'nest-cli.json', 'package-lock.json']) {
    visit(path.join(root, file));
  }
  return newest;
}

function isStale() {
  try {
    return fs.statSync(stamp).mtimeMs < newestInput();
  } catch {
    return true;
  }
}

function build() {
  if (nestCli.compilerOptions?.deleteOutDir) fs.rmSync(outDir, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfigPath], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

function watch() {
  const compiler = spawn(process.execPath, [tsc, '-p', tsconfigPath, '--watch', '--preserveWatchOutput'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let app;
  compiler.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    // node --watch restarts the app whenever tsc rewrites a file it loaded.
    if (!app && /Found 0 errors/.test(String(chunk))) {
      app = spawn(process.execPath, ['--watch', path.join(outDir, 'src', 'main.js')], {
        cwd: root,
        stdio: 'inherit',
      });
    }
  });
  const stop = () => {
    app?.kill('SIGTERM');
    compiler.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const mode = process.argv[2];
if (mode === '--watch') watch();
else if (mode !== '--if-stale') build();
else if (isStale()) {
  process.stdout.write('Compiling into dist/ (sources changed since the last build)…\n');
  build();
}
