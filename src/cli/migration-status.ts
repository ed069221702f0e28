import type { DataSource } from 'typeorm';

export interface MigrationState {
  name: string;
  /** `applied` but unknown to this build: applied by a newer version of the app. */
  state: 'applied' | 'pending' | 'applied, not in this build';
}

/**
 * Every migration this build knows, in order, applied or pending, plus any the database has applied that this
 * build does not know. TypeORM's table records names only, not when each ran.
 */
export async function migrationStates(dataSource: DataSource): Promise<MigrationState[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const [{ exists }] = await dataSource.query<{ exists: boolean }[]>(
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [table],
  );
  const rows = exists
    ? await dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}" ORDER BY timestamp, id`)
    : [];
  const applied = rows.map((r) => r.name);
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  return [
    ...known.map((name): MigrationState => ({ name, state: applied.includes(name) ? 'applied' : 'pending' })),
    ...applied
      .filter((name) => !known.includes(name))
      .map((name): MigrationState => ({ name, state: 'applied, not in this build' })),
  ];
}

export function formatMigrationStates(states: MigrationState[]): string {
  const pending = states.filter((s) => s.state === 'pending').length;
  const lines = states.map(
    (s) =>
      `  ${s.state === 'pending' ? 'pending' : 'applied'}  ${s.name}${s.state === 'applied, not in this build' ? '  (not in this build)' : ''}`,
  );
  const summary = `${states.length - pending} applied, ${pending} pending`;
  const hint = pending
    ? ' — apply with `npm run migration:run` (npm start also applies them unless MIGRATIONS_RUN=false)'
    : '';
  return [...lines, `${summary}${hint}`].join('\n');
}
