import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { EMBEDDED_DATABASE, dataSourceOptions } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * The DataSource for the TypeORM CLI (`npm run migration:generate -- migrations/AddThing`): the same options as
 * the app, on DATABASE_URL or the embedded PostgreSQL under .data/. Left uninitialised; the CLI connects it.
 */
async function cliDataSource(): Promise<DataSource> {
  const config = loadConfig();
  let url = config.DATABASE_URL;
  if (!url) {
    // Let go (and stop it unless the app or another command holds it) when the TypeORM CLI exits.
    const cluster = await startEmbeddedPostgres({ dataDir: config.DATA_DIR });
    await cluster.createDatabase(EMBEDDED_DATABASE);
    url = cluster.url(EMBEDDED_DATABASE);
  }
  return new DataSource(dataSourceOptions(url, 2));
}

export default cliDataSource();
