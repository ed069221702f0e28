import type { Command } from 'commander';
import type { INestApplicationContext } from '@nestjs/common';
import type { OpenedDatabase } from '../database/data-source';
import { registerCustomerCommands } from '../customers/customers.cli';
import { registerDemoSeedCommand } from '../analytics/seed/demo-seed.command';

export interface CliContext {
  withApp<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T>;
  withDatabase<T>(fn: (db: OpenedDatabase) => Promise<T>): Promise<T>;
}

/** Commands contributed by feature modules (CSV import, demo seed). Each adds itself to this list. */
export const CLI_COMMANDS: ((program: Command, ctx: CliContext) => void)[] = [];

CLI_COMMANDS.push(registerCustomerCommands);
CLI_COMMANDS.push(registerDemoSeedCommand);
