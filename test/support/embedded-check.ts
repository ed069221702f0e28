// Child-process half of test/database.e2e-spec.ts: open the embedded database in DATA_DIR, migrate,
// run one statement, stop. Prints a JSON line with what it saw.
import 'reflect-metadata';
import { loadConfig } from '../../src/config/app-config';
import { openDatabase } from '../../src/database/data-source';

async function main() {
  const [dataDir, statement] = process.argv.slice(2);
  const db = await openDatabase(loadConfig({ DATA_DIR: dataDir }));
  try {
    const ran = await db.dataSource.runMigrations({ transaction: 'each' });
    const rows = await db.dataSource.query(statement);
    process.stdout.write(
      JSON.stringify({ embedded: Boolean(db.cluster), migrationsRun: ran.length, rows }) + '\n',
    );
  } finally {
    await db.dataSource.destroy();
    await db.cluster?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exit(1);
});
