import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import type { CliCommand, CliContext } from '../common/cli-command';
import { CustomerImportService } from './customer-import.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `import:customers <file> --rooftop <id>`: the same importer as the API, with a progress bar. */
export function registerCustomerCommands(program: Command, ctx: CliContext): void {
  program
    .command('import:customers')
    .description('import customers from a DMS CSV export (upsert by external_id; safe to re-run)')
    .argument('<file>', 'CSV file')
    .requiredOption('--rooftop <id>', 'home rooftop of the imported customers', (value: string) => {
      if (!UUID.test(value)) throw new InvalidArgumentError('not a rooftop id (uuid)');
      return value;
    })
    .action((file: string, opts: { rooftop: string }) =>
      ctx.withApp(async (app) => {
        const size = fs.statSync(file).size;
        const bar = new SingleBar(
          { format: 'importing |{bar}| {percentage}% | {rows} rows, {failed} failed', hideCursor: true },
          Presets.shades_classic,
        );
        let bytes = 0;
        // Counts bytes as the importer pulls them (a 'data' listener would start the flow too early).
        const counted = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done(null, chunk);
          },
        });
        const source = fs.createReadStream(file);
        source.on('error', (e) => counted.destroy(e));
        source.pipe(counted);
        bar.start(size, 0, { rows: 0, failed: 0 });
        try {
          const job = await app.get(CustomerImportService).import(counted, {
            rooftopId: opts.rooftop,
            actor: null,
            source: 'cli',
            fileName: path.basename(file),
            onProgress: (j) => bar.update(bytes, { rows: j.rowsProcessed, failed: j.failed }),
          });
          bar.update(size, { rows: job.rowsProcessed, failed: job.failed });
          bar.stop();
          console.log(
            `import ${job.id}: ${job.rowsProcessed} rows — ${job.created} created, ${job.updated} updated, ${job.unchanged} unchanged, ${job.failed} failed`,
          );
          for (const e of job.errors.slice(0, 20)) console.log(`  line ${e.row} ${e.field}: ${e.message}`);
          if (job.errors.length > 20 || job.errorsTruncated)
            console.log(`  … full report: GET /api/v1/customers/imports/${job.id}`);
        } finally {
          bar.stop();
        }
      }),
    );
}

/** The customers module's CLI commands, collected by src/cli/commands.ts. */
export const CUSTOMERS_COMMANDS: CliCommand[] = [registerCustomerCommands];
