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

/** Short links stored by one statement at most. */
const SHORTEN_GROUP_MAX = 100;

interface PendingLink {
  target: string;
  asOf: Date;
  expiresAt: Date;
  resolve: (code: string) => void;
  reject: (e: unknown) => void;
}

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
  /** shorten() requests waiting for the next statement, and the statement in flight. */
  private readonly waiting: PendingLink[] = [];
  private storing: Promise<void> | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  url(code: string): string {
    return shortLinkUrl(this.config.publicBaseUrl, code);
  }

  /**
   * The code of `target`, valid at least until `expiresAt`: an existing code of the same target is reused (and
   * its expiry extended), else a new one is stored. The unique index on md5(target) makes this one statement,
   * and requests that arrive while one is being stored go together in the next (the dispatcher's lanes compose
   * several SMS at once; one statement per SMS was one more round trip each, and five lanes updating the same
   * target's row queued on its lock).
   */
  shorten(target: string, asOf: Date, expiresAt: Date): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ target, asOf, expiresAt, resolve, reject });
      this.storing ??= this.storeWaiting();
    });
  }

  private async storeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, SHORTEN_GROUP_MAX);
      try {
        const codes = await this.store(group);
        for (const p of group) p.resolve(codes.get(p.target)!);
      } catch (e) {
        for (const p of group) p.reject(e);
      }
    }
    this.storing = null;
  }

  /** One statement for a group; a target asked for twice is stored once, valid until the later expiry. */
  private async store(group: PendingLink[]): Promise<Map<string, string>> {
    const byTarget = new Map<string, PendingLink>();
    for (const p of group) {
      const seen = byTarget.get(p.target);
      if (!seen || p.expiresAt > seen.expiresAt) byTarget.set(p.target, p);
    }
    const links = [...byTarget.values()];
    for (let attempt = 0; ; attempt++) {
      try {
        const rows: { code: string; target: string }[] = await this.db.query(
          `INSERT INTO short_link (code, target, created_at, expires_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
           ON CONFLICT ((md5(target))) DO UPDATE SET expires_at = GREATEST(short_link.expires_at, EXCLUDED.expires_at)
           RETURNING code, target`,
          [
            links.map(() => newShortCode()),
            links.map((l) => l.target),
            links.map((l) => l.asOf),
            links.map((l) => l.expiresAt),
          ],
        );
        return new Map(rows.map((r) => [r.target, r.code]));
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
