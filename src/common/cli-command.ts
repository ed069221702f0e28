import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';

/** What the CLI root (src/cli/main.ts) hands a module's command: the app, or just the database. */
export interface CliContext {
  withApp<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T>;
  withDatabase<T>(fn: (db: CliDatabase) => Promise<T>): Promise<T>;
}

export interface CliDatabase {
  dataSource: DataSource;
  /** The connection URL (the embedded cluster's when DATABASE_URL is unset). */
  url: string;
}

/**
 * A module's CLI command: adds itself to the program. Each module exports its own list (e.g.
 * CUSTOMERS_COMMANDS in src/customers/customers.cli.ts); src/cli/commands.ts collects them.
 */
export type CliCommand = (program: Command, ctx: CliContext) => void;
