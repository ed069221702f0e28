import type { CliCommand } from '../common/cli-command';
import { CUSTOMERS_COMMANDS } from '../customers/customers.cli';
import { DEMO_SEED_COMMANDS } from '../demo-seed/demo-seed.command';

export type { CliCommand, CliContext } from '../common/cli-command';

/** The CLI's composition root: each module's own commands (CSV import, demo seed), collected here. */
export const CLI_COMMANDS: CliCommand[] = [...CUSTOMERS_COMMANDS, ...DEMO_SEED_COMMANDS];
