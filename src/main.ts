import 'reflect-metadata';
import type { ConsoleLogger, LogLevel } from '@nestjs/common';
import { setFlagsFromString } from 'node:v8';
import { createApp, createLogger } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { DatabaseUnreachableError, openDatabase } from './database/data-source';
import { UsersService } from './users/users.service';

/**
 * After each full collection V8 lets the old generation grow to several times what survived before collecting
 * again: under the 360 load the heap held 70–85 MB of garbage beside ~55 MB live and kept it when idle (RSS ~155 MB
 * at start, 221–243 under load and after it). Growing by 30 % of the live size keeps the heap near it (155–157 /
 * 178–184 / 177 MB measured; docs/performance.md), for more frequent but small collections. V8 reads the setting at each collection, so setting it here
 * works however the app is started; an operator's own `node --heap-growing-percent=N` wins.
 */
if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent')))
  setFlagsFromString('--heap-growing-percent=30');

/** Nest's line per module and per route (~170 at start) are detail: shown at LOG_LEVEL=debug, not by default. */
const STARTUP_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

function withoutStartupDetail(logger: ConsoleLogger, level: LogLevel): ConsoleLogger {
  if (level === 'debug' || level === 'verbose') return logger;
  const log = logger.log.bind(logger);
  logger.log = (message: unknown, ...rest: unknown[]) => {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && STARTUP_DETAIL.has(context)) return;
    log(message, ...rest);
  };
  return logger;
}

async function bootstrap() {
  const config = loadConfig();
  const logger = withoutStartupDetail(createLogger(config.LOG_LEVEL), config.LOG_LEVEL);
  const database = await openDatabase(config);
  if (config.MIGRATIONS_RUN) {
    const ran = await database.dataSource.runMigrations({ transaction: 'each' });
    if (ran.length) logger.log({ msg: 'migrations applied', count: ran.length }, 'Database');
  }
  const app = await createApp({ config, database }, { logger });
  const admin = await app
    .get(UsersService)
    .ensureFirstAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD, !config.DATABASE_URL);
  await app.listen({ port: config.PORT, host: config.HOST });
  const base = `http://localhost:${config.PORT}`;
  logger.log(
    {
      msg: 'ready',
      host: config.HOST,
      port: config.PORT,
      database: database.cluster ? 'embedded' : 'external',
      dashboard: `${base}/dashboard`,
      docs: `${base}/api/docs`,
    },
    'Bootstrap',
  );
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\n  Dealer Retention CRM is running: ${base}/dashboard  (API: ${base}/api/docs)\n\n`,
    );
  }
  if (admin?.password) {
    // Printed once, to the operator's terminal only (not the JSON log stream).
    process.stdout.write(
      `\n  First admin created. Log in with:\n    email:    ${admin.email}\n    password: ${admin.password}\n` +
        `  curl -s -X POST ${base}/api/v1/auth/login -H 'content-type: application/json' -d '{"email":"${admin.email}","password":"${admin.password}"}'\n` +
        `  Change this password (PATCH /api/v1/users/{id}); it is not shown again.\n\n`,
    );
  }
}

bootstrap().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof DatabaseUnreachableError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    createLogger('log').fatal(
      { msg: 'failed to start', error: e instanceof Error ? e.message : String(e) },
      'Bootstrap',
    );
  }
  process.exit(1);
});
