import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { dataSourceOptions } from '../src/database/data-source';

/** Every migration goes up and comes back down cleanly, and up again (so `down` is real, not decoration). */
describe('migrations', () => {
  const name = `m_${randomBytes(5).toString('hex')}`;
  let ds: DataSource;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.TEST_PG_ADMIN_URL!);
    url.pathname = `/${name}`;
    ds = new DataSource(dataSourceOptions(url.toString(), 2));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  const tables = async () =>
    (
      await ds.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`,
      )
    ).map((r: { tablename: string }) => r.tablename);

  it('runs up on an empty database, down to nothing, and up again', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(
      MIGRATIONS.map((m) => new (m as new () => { name: string })().name),
    );
    const schema = await tables();
    expect(schema).toEqual(expect.arrayContaining(['customer', 'vehicle', 'outbox_message']));

    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);

    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(schema);
  });
});
