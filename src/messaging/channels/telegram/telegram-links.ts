import { Injectable, Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { resolveJwtSecret } from '../../../common/jwt-secret';
import { AppConfig } from '../../../config/app-config';
import { TelegramDriver } from './telegram.driver';

/** A deep link works for this long: long enough for an email read late, short enough to limit a forwarded one. */
export const TELEGRAM_LINK_TTL_DAYS = 30;

const VERSION = 1;
/** 128 bits of HMAC: forging a token stays out of reach while the whole token fits Telegram's 64 characters. */
const MAC_BYTES = 16;
/** version (1) + customer uuid (16) + expiry in unix seconds (4) + mac (16) = 37 bytes → 50 base64url characters. */
const TOKEN_BYTES = 1 + 16 + 4 + MAC_BYTES;
const GET_ME_RETRY_MS = 5 * 60_000;

export type TelegramStartClaim =
  { ok: true; customerId: string; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

export interface TelegramDeepLink {
  url: string;
  token: string;
  expiresAt: Date;
}

/**
 * The signed deep link that lets a customer link their Telegram chat (SPEC "Channels"):
 * `https://t.me/<bot>?start=<token>`. Telegram passes `start` to the bot as `/start <token>` and allows only
 * 1–64 characters of A-Z, a-z, 0-9, _ and -, so the token is packed binary (customer id, expiry, a truncated
 * HMAC under a key derived from the app secret) in base64url: 50 characters.
 */
@Injectable()
export class TelegramLinks {
  private readonly logger = new Logger('TelegramLinks');
  private readonly key: Buffer;
  private username: Promise<string | null> | null = null;
  /** After a failed getMe, links are left out until then (wall time): emails never wait on a Telegram outage. */
  private quietUntil = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly driver: TelegramDriver,
  ) {
    // A key of its own, so a deep-link token can never pass for another kind of token.
    this.key = createHmac('sha256', resolveJwtSecret(config)).update('telegram-start/v1').digest();
  }

  token(customerId: string, expiresAt: Date): string {
    const body = Buffer.alloc(1 + 16 + 4);
    body.writeUInt8(VERSION, 0);
    Buffer.from(customerId.replace(/-/g, ''), 'hex').copy(body, 1);
    body.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000), 17);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  verify(token: string, now: Date): TelegramStartClaim {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(token)) return invalid;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== TOKEN_BYTES || bytes.readUInt8(0) !== VERSION) return invalid;
    const body = bytes.subarray(0, 21);
    if (!timingSafeEqual(this.mac(body), bytes.subarray(21))) return invalid;
    const expiresAt = new Date(bytes.readUInt32BE(17) * 1000);
    if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    const hex = body.subarray(1, 17).toString('hex');
    const customerId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return { ok: true, customerId, expiresAt };
  }

  /** The deep link for a customer, valid TELEGRAM_LINK_TTL_DAYS from `now`; null when no bot is configured. */
  async linkFor(customerId: string, now: Date): Promise<TelegramDeepLink | null> {
    const username = await this.botUsername();
    if (!username) return null;
    const expiresAt = new Date(now.getTime() + TELEGRAM_LINK_TTL_DAYS * 86_400_000);
    const token = this.token(customerId, expiresAt);
    return { url: `https://t.me/${username}?start=${token}`, token, expiresAt };
  }

  /**
   * TELEGRAM_BOT_USERNAME, else the bot's username from getMe, asked once (after a failure, again in 5 minutes).
   * Null without a bot.
   */
  botUsername(): Promise<string | null> {
    if (this.config.TELEGRAM_BOT_USERNAME) return Promise.resolve(this.config.TELEGRAM_BOT_USERNAME);
    if (this.driver.mode === 'file' || Date.now() < this.quietUntil) return Promise.resolve(null);
    this.username ??= this.driver.api.getMe().then(
      (me) => me.username ?? null,
      (e: unknown) => {
        this.username = null;
        this.quietUntil = Date.now() + GET_ME_RETRY_MS;
        this.logger.warn({
          msg: 'getMe failed: no Telegram link this time',
          error: e instanceof Error ? e.message : String(e),
        });
        return null;
      },
    );
    return this.username;
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}

const invalid: TelegramStartClaim = { ok: false, reason: 'invalid' };
