import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { createLogger } from '../app.factory';
import { ConfigError, loadConfig } from '../config/app-config';
import { DatabaseUnreachableError, OpenedDatabase, openDatabase } from '../database/data-source';
import { JOB_NAMES, JobName } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { UsersService } from '../users/users.service';
import { writeBackup } from './backup/backup';
import { restoreBackup } from './backup/restore';
import { CLI_COMMANDS } from './commands';
import { formatMigrationStates, migrationStates } from './migration-status';

/**
 * The operator CLI: `npm run cli -- <command>`. It shares the app's DataSource (and the embedded
 * PostgreSQL under .data/ when DATABASE_URL is unset).
 */
async function withDatabase<T>(fn: (db: OpenedDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    return await fn(db);
  } finally {
    if (db.dataSource.isInitialized) await db.dataSource.destroy();
    await db.cluster?.stop();
  }
}

/** A Nest application context (no HTTP) for commands that use the services. */
export async function withApp<T>(
  fn: (app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ ...process.env, JOBS_ENABLED: 'false' });
  return withDatabase(async (database) => {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, database }), {
      logger: createLogger('warn'),
    });
    try {
      return await fn(app);
    } finally {
      await app.close();
    }
  });
}

const instant = (value: string) => {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('not an ISO-8601 instant');
  return d;
};

// Ctrl-C ends a command through process.exit, so that it lets go of the embedded cluster (embedded-postgres.ts).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const program = new Command('crm').description('Dealer Retention CRM operator commands');

program
  .command('migrate')
  .description('apply pending migrations')
  .action(() =>
    withDatabase(async ({ dataSource }) => {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      console.log(ran.length ? ran.map((m) => `applied ${m.name}`).join('\n') : 'no pending migrations');
    }),
  );

program
  .command('migrate:revert')
  .description('revert the most recent migration')
  .action(() =>
    withDatabase(async ({ dataSource }) => {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    }),
  );

program
  .command('migrate:status')
  .description('list applied and pending migrations')
  .action(() =>
    withDatabase(async ({ dataSource }) => {
      console.log(formatMigrationStates(await migrationStates(dataSource)));
    }),
  );

program
  .command('backup')
  .description('write every table to a gzip file, from one snapshot (the app may keep running)')
  .argument('<file>', 'file to create, e.g. backups/crm-2026-12-07.sql.gz')
  .action((file: string) =>
    withDatabase(async ({ dataSource, url }) => {
      const s = await writeBackup(url, dataSource.options.migrationsTableName ?? 'migrations', file);
      console.log(
        `backed up ${s.rows} rows of ${s.tables} tables (schema at ${s.migration ?? 'no migration'}) to ${s.file} (${Math.ceil(s.bytes / 1024)} KB)`,
      );
    }),
  );

program
  .command('restore')
  .description('replace the database content with a backup made by `backup` (stop the app first)')
  .argument('<file>', 'backup file')
  .option('--replace', 'confirm replacing a database that already holds data')
  .action((file: string, opts: { replace?: boolean }) =>
    withDatabase(async ({ dataSource, url }) => {
      const s = await restoreBackup(dataSource, url, file, { replace: Boolean(opts.replace) });
      for (const name of s.reverted) console.log(`undid ${name} (newer than the backup)`);
      console.log(`restored ${s.rows} rows of ${s.tables} tables from ${file}`);
      for (const name of s.migratedAfter) console.log(`applied ${name}`);
    }),
  );

program
  .command('admin:create')
  .description('create an admin user')
  .requiredOption('--email <email>')
  .requiredOption('--password <password>', 'at least 12 characters')
  .option('--name <name>', 'display name', 'Administrator')
  .action((opts: { email: string; password: string; name: string }) =>
    withApp(async (app) => {
      const user = await app
        .get(UsersService)
        .create(
          { email: opts.email, password: opts.password, name: opts.name, role: 'admin', rooftopIds: [] },
          null,
        );
      console.log(`created admin ${user.id}`);
    }),
  );

program
  .command('jobs:run')
  .description(`run a job as of an instant (${JOB_NAMES.join(', ')})`)
  .argument('<name>', 'job name')
  .option('--as-of <instant>', 'ISO-8601 instant treated as now', instant)
  .action((name: string, opts: { asOf?: Date }) =>
    withApp(async (app) => {
      if (!(JOB_NAMES as readonly string[]).includes(name))
        throw new InvalidArgumentError(`unknown job ${name}; one of ${JOB_NAMES.join(', ')}`);
      const run = await app.get(JobsService).run(name as JobName, opts.asOf ?? new Date());
      console.log(JSON.stringify(run, null, 2));
    }),
  );

for (const register of CLI_COMMANDS) register(program, { withApp, withDatabase });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (
    e instanceof ConfigError ||
    e instanceof DatabaseUnreachableError ||
    e instanceof InvalidArgumentError
  ) {
    console.error(e.message);
  } else {
    console.error(e instanceof Error ? e.message : String(e));
  }
  process.exit(1);
});
