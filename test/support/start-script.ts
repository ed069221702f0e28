import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The variables `npm start` sets before `node` (package.json's start script reads `NAME=value … node …`), so a
 * process the bench or a test spawns runs as `npm start` runs the app.
 */
export function startScriptEnv(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const env: Record<string, string> = {};
  for (const token of pkg.scripts.start.trim().split(/\s+/)) {
    const assignment = /^([A-Za-z_]\w*)=(.*)$/.exec(token);
    if (!assignment) break;
    env[assignment[1]] = assignment[2];
  }
  return env;
}
