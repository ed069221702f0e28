import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import type { CliCommand, CliContext } from '../common/cli-command';
import { AppConfig, loadConfig } from '../config/app-config';
import { redactUrl } from '../database/data-source';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoData } from './demo-seed';

/** `npm run seed` (= `npm run cli -- seed`). */
export function registerDemoSeedCommand(program: Command, ctx: CliContext): void {
  program
    .command('seed')
    .description(
      'load the demo dealer group (Phnom Penh and Vientiane): staff, customers, three years of history',
    )
    .option('--as-of <instant>', 'ISO-8601 instant the history ends at (default: now)')
    .option('--customers <n>', 'number of customers (default 3000)', '3000')
    .action((opts: { asOf?: string; customers: string }) =>
      ctx.withDatabase(async ({ dataSource }) => {
        const config = loadConfig();
        const asOf = opts.asOf ? new Date(opts.asOf) : new Date();
        if (Number.isNaN(asOf.getTime()))
          throw new InvalidArgumentError('--as-of is not an ISO-8601 instant');
        const customers = Number(opts.customers);
        if (!Number.isInteger(customers) || customers < 10 || customers > 200_000)
          throw new InvalidArgumentError('--customers must be an integer from 10 to 200000');
        // A fresh machine (`npm run seed` right after `npm ci`) gets its schema first.
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        if (applied.length) console.log(`applied ${applied.length} pending migration(s)`);
        const result = await seedDemoData(dataSource, { asOf, customers });
        if (!result.seeded) {
          console.log(
            'Demo data is already in this database (customer DEMO-000001 or a demo user exists). Nothing was changed.',
          );
          console.log(`Database: ${whereIsTheDatabase(config)}`);
          console.log(
            config.DATABASE_URL
              ? 'The seed runs once per database; to start over, point DATABASE_URL at an empty database.'
              : `The seed runs once per database; to start over, stop the app and remove ${path.resolve(config.DATA_DIR)}.`,
          );
          return;
        }
        console.log(`Seeded the demo dealer group in ${(result.ms / 1000).toFixed(1)} s:`);
        for (const [name, n] of Object.entries(result.counts)) console.log(`  ${name.padEnd(18)} ${n}`);
        console.log(`\nDemo logins (password for all: ${DEMO_PASSWORD}):`);
        for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(16)} ${u.email.padEnd(34)} ${u.language}`);
        console.log(`\nDatabase: ${whereIsTheDatabase(config)}`);
        console.log(`Manager dashboard: ${config.publicBaseUrl}/dashboard (once the app runs: npm start)`);
      }),
    );
}

/** Where the seed wrote: the embedded cluster under DATA_DIR, or DATABASE_URL without its password. */
function whereIsTheDatabase(config: AppConfig): string {
  return config.DATABASE_URL
    ? redactUrl(config.DATABASE_URL)
    : `embedded PostgreSQL in ${path.join(path.resolve(config.DATA_DIR), 'pg')}`;
}

/** The demo seed's CLI commands, collected by src/cli/commands.ts. */
export const DEMO_SEED_COMMANDS: CliCommand[] = [registerDemoSeedCommand];
