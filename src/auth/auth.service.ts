import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { DomainError } from '../common/problem/domain-error';
import type { Role } from './roles';
import { ACTIVE_USER_ROOFTOPS, activeUserFrom, AuthUser } from './auth-user';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';

interface PrincipalRow {
  id: string;
  role: Role;
  rooftops: string[];
  api_key_id?: string;
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super(
      HttpStatus.UNAUTHORIZED,
      'invalid_credentials',
      'Email or password is wrong, or the account is inactive',
    );
  }
}

/** How many verified tokens `tokenSubject` remembers (one per logged-in session in use; ~0.5 KB each). */
const VERIFIED_TOKENS = 1000;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Tokens already verified (see `tokenSubject`): the whole token string, so a changed signature is a miss. */
  private readonly verified = new Map<string, { subject: string; expiresAtMs: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
    private readonly events: DomainEvents,
  ) {}

  /**
   * The attempt is counted (LoginThrottle, in the database so that the limits hold across app instances)
   * before the password is checked; a success gives the count back.
   */
  async login(email: string, password: string, ip: string | undefined) {
    const ticket = await this.throttle.take(email, ip);
    const rows: { id: string; password_hash: string | null; active: boolean }[] = await this.db.query(
      `SELECT id, password_hash, active FROM app_user WHERE lower(email) = lower($1)`,
      [email],
    );
    const user = rows[0];
    // Verify even for unknown emails so that timing does not reveal which accounts exist.
    const ok = await this.hasher.verify(user?.password_hash ?? DUMMY_HASH, password);
    if (!user || !ok || !user.active) {
      this.logger.warn({ msg: 'login failed', userId: user?.id ?? null });
      throw new InvalidCredentialsError();
    }
    await this.throttle.succeeded(ticket);
    // users owns app_user: it stamps last_login_at on this event.
    await this.db.transaction((m) =>
      this.events.emit(m, 'user.logged_in', { userId: user.id, at: this.clock.now() }),
    );
    const accessToken = await this.jwt.signAsync(
      { sub: user.id },
      { expiresIn: this.config.JWT_TTL_SECONDS },
    );
    return { accessToken, tokenType: 'Bearer' as const, expiresIn: this.config.JWT_TTL_SECONDS };
  }

  async authenticateToken(token: string): Promise<AuthUser | null> {
    const id = await this.tokenSubject(token);
    if (!id) return null;
    const rows: PrincipalRow[] = await this.db.query(
      `SELECT u.id, u.role, ${ACTIVE_USER_ROOFTOPS} AS rooftops ${activeUserFrom('$1')}`,
      [id],
    );
    return rows[0] ? new AuthUser(rows[0].id, rows[0].role, rows[0].rooftops, 'jwt') : null;
  }

  /**
   * The user id of a valid JWT (signature, expiry, subject), without reading app_user (see UncheckedUser). A client
   * sends the same token with every request until it expires: a token verified once is remembered (`verified`),
   * and then only its expiry is checked again, as jsonwebtoken checks it (valid while now < exp, real time).
   */
  async tokenSubject(token: string): Promise<string | null> {
    const known = this.verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAtMs) return known.subject;
      this.verified.delete(token);
      return null;
    }
    let payload: { sub?: unknown; exp?: unknown };
    try {
      payload = await this.jwt.verifyAsync(token);
    } catch {
      return null;
    }
    // jsonwebtoken checks `exp` only when present: a token without one would never expire.
    if (typeof payload.exp !== 'number') return null;
    if (typeof payload.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(payload.sub)) return null;
    // Bounded: the oldest entry makes room (only tokens signed with our key get here).
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { subject: payload.sub, expiresAtMs: payload.exp * 1000 });
    return payload.sub;
  }

  async authenticateApiKey(key: string): Promise<AuthUser | null> {
    if (key.length > 200) return null;
    const rows: PrincipalRow[] = await this.db
      .query(
        `UPDATE api_key k SET last_used_at = now()
         FROM app_user u
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.id = k.user_id AND u.active
        RETURNING u.id, u.role, k.id AS api_key_id,
          (SELECT COALESCE(array_agg(rooftop_id), '{}') FROM user_rooftop WHERE user_id = u.id) AS rooftops`,
        [hashApiKey(key)],
      )
      .then((r: [PrincipalRow[], number] | PrincipalRow[]) =>
        Array.isArray(r[0]) ? r[0] : (r as PrincipalRow[]),
      );
    const row = rows[0];
    return row ? new AuthUser(row.id, row.role, row.rooftops, 'api_key', row.api_key_id) : null;
  }

  static newApiKey(): string {
    return `crm_${randomBytes(24).toString('base64url')}`;
  }

  now() {
    return this.clock.now();
  }
}

// argon2id hash of a random string, used to spend the same time on unknown emails.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$qv2cM1F1nYJxCwKq0qkQ1mXzQ5m1fQ7a0bW3zj2yQ1o';
