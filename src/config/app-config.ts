import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import * as path from 'node:path';

export const LANGUAGES = ['en', 'km', 'lo'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DISTANCE_UNITS = ['km', 'mi'] as const;
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];

const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const s = String(value).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Every setting the app reads, validated once at start. Names match the environment variables
 * (SPEC "Operations"); defaults make `npm start` work on a fresh machine.
 */
export class AppConfig {
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ protocols: ['smtp', 'smtps'], require_tld: false, require_protocol: true })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM: string = 'Dealer CRM <no-reply@dealer-crm.local>';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Access-token lifetime in seconds (short-lived by design). */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_TTL_SECONDS: number = 900;

  @IsIn(DISTANCE_UNITS)
  DISTANCE_UNIT: DistanceUnit = 'km';

  @IsIn(LANGUAGES)
  DEFAULT_LANGUAGE: Language = 'en';

  @Transform(toBool)
  @IsBoolean()
  JOBS_ENABLED: boolean = true;

  /** Run pending migrations at start. Production may turn this off and run `npm run cli -- migrate`. */
  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN: boolean = true;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  /** Where the embedded database, generated secrets and .eml files live. */
  @IsString()
  DATA_DIR: string = path.resolve(process.cwd(), '.data');

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE: number = 10;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** Login attempts allowed per email+IP within LOGIN_RATE_WINDOW_SECONDS before 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT: number = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_WINDOW_SECONDS: number = 300;

  /**
   * Longest time a client may take to send a whole request (headers and body); a slower one gets 408 and
   * its connection is closed, so trickling sockets cannot pile up. Large CSV imports must fit in it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  REQUEST_TIMEOUT_SECONDS: number = 60;

  /** Cron expressions for the scheduled jobs (see README "Jobs"). */
  @IsString()
  CRON_SERVICE_REMINDERS: string = '0 */15 * * * *';
  @IsString()
  CRON_FOLLOW_UPS: string = '0 */15 * * * *';
  @IsString()
  CRON_OUTBOX_DISPATCH: string = '*/10 * * * * *';
  @IsString()
  CRON_COMPLAINT_SLA: string = '0 */5 * * * *';
  @IsString()
  CRON_LOYALTY_TIERS: string = '0 30 2 * * *';
  @IsString()
  CRON_LOYALTY_EXPIRY: string = '0 0 3 * * *';
  @IsString()
  CRON_CUSTOMER_RISK: string = '0 10 * * * *';

  get publicBaseUrl(): string {
    return (this.PUBLIC_BASE_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  get mailDir(): string {
    return path.join(this.DATA_DIR, 'mail');
  }
}

export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError whose message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).concat(['DATABASE_URL', 'SMTP_URL', 'PUBLIC_BASE_URL', 'JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD']);
  const raw: Record<string, unknown> = {};
  for (const key of known) if (env[key] !== undefined) raw[key] = env[key];
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const messages = Object.values(e.constraints ?? {}).join('; ');
      return `${e.property}: ${messages}`;
    });
    throw new ConfigError(`Invalid settings — ${lines.join(' | ')}`);
  }
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD) {
    throw new ConfigError('Invalid settings — ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  }
  return config;
}
