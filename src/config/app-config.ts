import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  validateSync,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';

export const LANGUAGES = ['en', 'km', 'lo'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DISTANCE_UNITS = ['km', 'mi'] as const;
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];
export const TELEGRAM_UPDATE_MODES = ['webhook', 'polling', 'off'] as const;
export type TelegramUpdates = (typeof TELEGRAM_UPDATE_MODES)[number];

/**
 * The default database pool: two connections per core and one more (PostgreSQL's own rule of thumb, as in
 * HikariCP's "About Pool Sizing"), at least 5 and at most 10 (the old fixed default). More connections than
 * that do not add throughput on a small machine: the extra backends only compete for its cores. On 2 cores, 16
 * clients redeeming points cost PostgreSQL 0.66-0.71 ms of CPU per redemption through 4 connections against
 * 0.78-1.08 ms through 10 (docs/performance.md).
 */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.min(10, Math.max(5, 2 * cores + 1));
}

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

/** TRUST_PROXY parsed: false (none), true (any), a hop count, or addresses, CIDRs and proxy-addr's named ranges. */
export type TrustProxy = boolean | number | string[];
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

export function parseTrustProxy(raw: string): TrustProxy | null {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'false' || value === 'none') return false;
  if (value === 'true') return true;
  if (/^\d{1,3}$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = value.split(',').map((e) => e.trim());
  const valid = entries.every((entry) => {
    if (PROXY_RANGE_NAMES.includes(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (!family || rest.length > 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
  return valid ? entries : null;
}

@ValidatorConstraint({ name: 'isTrustProxy' })
class IsTrustProxy implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && parseTrustProxy(value) !== null;
  }
  defaultMessage(): string {
    return 'TRUST_PROXY must be empty/false (trust no proxy), true, a hop count, or a comma list of addresses or CIDRs (or loopback, linklocal, uniquelocal)';
  }
}

@ValidatorConstraint({ name: 'isListenHost' })
class IsListenHost implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && (isIP(value) !== 0 || value === 'localhost');
  }
  defaultMessage(): string {
    return 'HOST must be an IP address to listen on (0.0.0.0 for every interface, 127.0.0.1 for this machine only) or localhost';
  }
}

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

  /** Address the HTTP server listens on: 0.0.0.0 (every interface), 127.0.0.1 (this machine only), ::, … */
  @Validate(IsListenHost)
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ protocols: ['smtp', 'smtps'], require_tld: false, require_protocol: true })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM: string = 'Dealer CRM <no-reply@dealer-crm.local>';

  /** The SMS account (the password is a secret: never logged). Unset → SMS are written as JSON files. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^s?smpp:\/\/[^:@/\s]+:[^@/\s]+@[^:@/\s]+(:\d{1,5})?\/?$/, {
    message: 'SMPP_URL must look like smpp://system_id:password@host:port (ssmpp:// for TLS)',
  })
  SMPP_URL?: string;

  /** The sender of SMS: an alphanumeric sender id (at most 11 characters) or a number (+E.164 or short code). */
  @Matches(/^(\+?\d{3,15}|[A-Za-z0-9][A-Za-z0-9 .&-]{0,10})$/, {
    message: 'SMS_SENDER must be a sender id of 1–11 letters and digits or a phone number',
  })
  SMS_SENDER: string = 'DealerCRM';

  /** SMS written as JSON files when SMPP_URL is unset (development). */
  get smsDir(): string {
    return path.join(this.DATA_DIR, 'sms');
  }

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

  /** Database connections per app instance; by default from the machine's cores (`defaultPoolSize`). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE: number = defaultPoolSize();

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /**
   * Failed logins allowed per (account, client address) pair within LOGIN_RATE_WINDOW_SECONDS before 429
   * (docs/security.md "Logins and passwords").
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT: number = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_RATE_WINDOW_SECONDS: number = 300;

  /** Failed logins per account from all addresses (except ones the user logged in from) per window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ACCOUNT_LIMIT: number = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ACCOUNT_WINDOW_SECONDS: number = 3600;

  /** Failed logins per client address over all accounts per window (password spraying). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ADDRESS_LIMIT: number = 50;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_ADDRESS_WINDOW_SECONDS: number = 900;

  /**
   * Which proxies may tell the client address in X-Forwarded-For. Default: none (the socket's address
   * counts; a client's own X-Forwarded-For is ignored). `true`, a hop count, or addresses/CIDRs.
   */
  @Validate(IsTrustProxy)
  TRUST_PROXY: string = '';

  /**
   * For Fastify's `trustProxy`. Fastify 5 refuses a bare hop count (fails closed), so a count n becomes
   * proxy-addr's hop function: the n nearest hops are trusted, whatever their addresses.
   */
  get trustProxy(): boolean | string[] | ((address: string, hop: number) => boolean) {
    const parsed = parseTrustProxy(this.TRUST_PROXY) ?? false;
    return typeof parsed === 'number' ? (_address: string, hop: number) => hop < parsed : parsed;
  }

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
  @IsString()
  CRON_APPOINTMENT_REMINDERS: string = '0 */5 * * * *';
  @IsString()
  CRON_APPOINTMENT_NO_SHOWS: string = '0 */5 * * * *';

  /** The bot's token from BotFather (a secret: never logged). Unset → messages are written as files. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\d+:[A-Za-z0-9_-]{20,}$/, {
    message: 'TELEGRAM_BOT_TOKEN must look like 123456:ABC-DEF… (BotFather)',
  })
  TELEGRAM_BOT_TOKEN?: string;

  /** The Bot API server (a local telegram-bot-api server, or the stand-in in tests). */
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  TELEGRAM_API_URL: string = 'https://api.telegram.org';

  /** Telegram sends it in X-Telegram-Bot-Api-Secret-Token on every webhook call (1–256 of A-Z a-z 0-9 _ -). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[A-Za-z0-9_-]{16,256}$/, {
    message: 'TELEGRAM_WEBHOOK_SECRET must be 16–256 characters of A-Z, a-z, 0-9, _ and -',
  })
  TELEGRAM_WEBHOOK_SECRET?: string;

  /** webhook | polling | off; unset → webhook when TELEGRAM_WEBHOOK_SECRET is set, else polling (with a token). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(TELEGRAM_UPDATE_MODES)
  TELEGRAM_UPDATES?: TelegramUpdates;

  /** The bot's @username without @ (for t.me links); unset → asked once with getMe. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, {
    message: 'TELEGRAM_BOT_USERNAME must be a bot username without @',
  })
  TELEGRAM_BOT_USERNAME?: string;

  get publicBaseUrl(): string {
    return (this.PUBLIC_BASE_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  get mailDir(): string {
    return path.join(this.DATA_DIR, 'mail');
  }

  /** Telegram messages written as JSON files when TELEGRAM_BOT_TOKEN is unset (development). */
  get telegramDir(): string {
    return path.join(this.DATA_DIR, 'telegram');
  }

  /** How Telegram updates arrive: TELEGRAM_UPDATES, else webhook with a secret, polling with a token, or off. */
  get telegramUpdates(): TelegramUpdates {
    if (!this.TELEGRAM_BOT_TOKEN) return 'off';
    if (this.TELEGRAM_UPDATES) return this.TELEGRAM_UPDATES;
    return this.TELEGRAM_WEBHOOK_SECRET ? 'webhook' : 'polling';
  }
}

export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError whose message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).concat([
    'DATABASE_URL',
    'SMTP_URL',
    'SMPP_URL',
    'PUBLIC_BASE_URL',
    'JWT_SECRET',
    'ADMIN_EMAIL',
    'ADMIN_PASSWORD',
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_WEBHOOK_SECRET',
    'TELEGRAM_UPDATES',
    'TELEGRAM_BOT_USERNAME',
  ]);
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
  if (config.TELEGRAM_UPDATES === 'webhook' && !config.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid settings — TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_UPDATES=webhook',
    );
  }
  if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD) {
    throw new ConfigError('Invalid settings — ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  }
  return config;
}
