import * as path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from '../app.entities';
import { EmbeddedCluster, startEmbeddedPostgres } from './embedded-postgres';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export const EMBEDDED_DATABASE = 'crm';

export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000, application_name: 'dealer-crm' },
  };
}

export interface OpenedDatabase {
  dataSource: DataSource;
  /** Set when we started the embedded PostgreSQL ourselves. */
  cluster?: EmbeddedCluster;
  url: string;
}

export class DatabaseUnreachableError extends Error {}

/** Resolves the database URL (starting the embedded cluster when DATABASE_URL is unset) and connects. */
export async function openDatabase(config: AppConfig): Promise<OpenedDatabase> {
  let cluster: EmbeddedCluster | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    cluster = await startEmbeddedPostgres({ dataDir: config.DATA_DIR });
    await cluster.createDatabase(EMBEDDED_DATABASE);
    url = cluster.url(EMBEDDED_DATABASE);
  }
  const dataSource = new DataSource(dataSourceOptions(url, config.DB_POOL_SIZE));
  try {
    await dataSource.initialize();
  } catch (e) {
    await cluster?.stop();
    const where = config.DATABASE_URL
      ? redactUrl(config.DATABASE_URL)
      : `embedded PostgreSQL in ${path.join(config.DATA_DIR, 'pg')}`;
    const reason = e instanceof Error ? e.message : String(e);
    throw new DatabaseUnreachableError(`Cannot reach the database at ${where}: ${reason}`);
  }
  return { dataSource, cluster, url };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
