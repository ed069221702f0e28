import { JwtService } from '@nestjs/jwt';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp, createLogger } from '../../src/app.factory';
import { Clock, FixedClock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source';
import { CreateRooftopDto } from '../../src/rooftops/dto/rooftop.dto';
import { Rooftop } from '../../src/rooftops/rooftop.entity';
import type { Role } from '../../src/auth/roles';
import { UsersService } from '../../src/users/users.service';

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url)
    throw new Error('TEST_PG_ADMIN_URL is unset: run the tests through jest (globalSetup starts PostgreSQL)');
  return url;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with every migration applied; one per test file. */
export async function createTestDatabase(): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const ds = new DataSource(dataSourceOptions(url.toString(), 2));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  config: AppConfig;
  clock: FixedClock;
  dataDir: string;
  /** Creates a user with the given role and rooftops and returns a bearer token for it. */
  user(
    role: Role,
    rooftopIds?: string[],
    overrides?: { email?: string; password?: string },
  ): Promise<{ id: string; token: string; email: string; password: string }>;
  rooftop(overrides?: Partial<CreateRooftopDto>): Promise<Rooftop>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Business time for the app; defaults to a fixed instant so tests never depend on the wall clock. */
  now?: string;
  clock?: Clock;
}

let userSeq = 0;

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-test-'));
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('hex'),
    JOBS_ENABLED: 'false',
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'warn',
    PUBLIC_BASE_URL: 'https://crm.test',
    ...(options.env ?? {}),
  });
  const clock =
    (options.clock as FixedClock) ?? new FixedClock(new Date(options.now ?? '2026-06-15T03:00:00Z'));
  const dataSource = new DataSource(dataSourceOptions(database.url, config.DB_POOL_SIZE));
  await dataSource.initialize();
  const app = await createApp(
    { config, database: { dataSource, url: database.url }, clock },
    { logger: createLogger('warn') },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const http = request(app.getHttpServer());

  return {
    app,
    http,
    db: dataSource,
    config,
    clock,
    dataDir,
    async user(role, rooftopIds = [], overrides = {}) {
      userSeq += 1;
      const email = overrides.email ?? `${role}.${userSeq}.${randomBytes(3).toString('hex')}@staff.test`;
      const password = overrides.password ?? 'a-long-test-password';
      const created = await app
        .get(UsersService)
        .create({ email, name: `${role} ${userSeq}`, role, password, rooftopIds }, null);
      const token = await app.get(JwtService).signAsync({ sub: created.id }, { expiresIn: 900 });
      return { id: created.id, token, email, password };
    },
    async rooftop(overrides = {}) {
      return dataSource.getRepository(Rooftop).save(
        dataSource.getRepository(Rooftop).create({
          name: `Rooftop ${randomBytes(2).toString('hex')}`,
          timeZone: 'Asia/Phnom_Penh',
          currency: 'USD',
          address: '1 Test Street, Phnom Penh',
          phone: '+85523000000',
          sendWindowStart: '08:00',
          sendWindowEnd: '20:00',
          settings: {},
          active: true,
          ...overrides,
        }),
      );
    },
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
