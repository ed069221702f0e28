import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 10 base-62 characters: 62^10 ≈ 8·10^17 codes (59.5 bits), so guessing one is hopeless without rate limits. */
export const SHORT_LINK_CODE_LENGTH = 10;
const CODE = new RegExp(`^[0-9A-Za-z]{${SHORT_LINK_CODE_LENGTH}}$`);
/** The public path of a short link: outside the /api/v1 prefix (UNPREFIXED_ROUTES), as every character counts. */
export const SHORT_LINK_PATH = '/l/';
/**
 * The longest PUBLIC_BASE_URL (without its https:// scheme, which SMS does not need: phones link a bare host) for
 * which every short text stays within two SMS parts; short-texts.spec.ts checks the texts with one this long.
 */
export const SHORT_LINK_BASE_MAX = 24;

/** An unguessable code from crypto.randomBytes (rejection sampling keeps the 62 characters equally likely). */
export function newShortCode(): string {
  let code = '';
  while (code.length < SHORT_LINK_CODE_LENGTH) {
    for (const byte of randomBytes(16)) {
      if (byte < 248 && code.length < SHORT_LINK_CODE_LENGTH) code += ALPHABET[byte % 62];
    }
  }
  return code;
}

/** A short link as texts show it: PUBLIC_BASE_URL without an https:// scheme, the path, the code. */
export function shortLinkUrl(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl.replace(/^https:\/\//, '').replace(/\/+$/, '')}${SHORT_LINK_PATH}${code}`;
}

/** Whether a string can be a code at all (checked before any database read). */
export function isShortCode(code: string): boolean {
  return CODE.test(code);
}

/**
 * Short links for SMS: a signed link (booking, survey, unsubscribe) is too long for two parts, so it is stored
 * under a random code and `/l/{code}` redirects to it. One code per target: the same target gets its code again.
 */
@Injectable()
export class ShortLinks {
  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  url(code: string): string {
    return shortLinkUrl(this.config.publicBaseUrl, code);
  }

  /**
   * The code of `target`, valid at least until `expiresAt`: an existing code of the same target is reused (and
   * its expiry extended), else a new one is stored. The unique index on md5(target) makes this one statement.
   */
  async shorten(target: string, asOf: Date, expiresAt: Date): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        const rows: { code: string }[] = await this.db.query(
          `INSERT INTO short_link (code, target, created_at, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT ((md5(target))) DO UPDATE SET expires_at = GREATEST(short_link.expires_at, EXCLUDED.expires_at)
           RETURNING code`,
          [newShortCode(), target, asOf, expiresAt],
        );
        return rows[0].code;
      } catch (e) {
        // A new code that collides with another target's (1 in 8·10^17): draw again.
        if (attempt < 2 && (e as { code?: string }).code === '23505') continue;
        throw e;
      }
    }
  }

  /** The target of a code that exists and has not expired at `now`; null otherwise (bad codes read nothing). */
  async resolve(code: string, now: Date): Promise<string | null> {
    if (!isShortCode(code)) return null;
    const rows: { target: string }[] = await this.db.query(
      `SELECT target FROM short_link WHERE code = $1 AND expires_at > $2`,
      [code, now],
    );
    return rows[0]?.target ?? null;
  }
}
