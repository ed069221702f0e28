import { HttpStatus } from '@nestjs/common';
import type { Role } from './roles';
import { DomainError, NotFoundError, UnprocessableError } from '../common/problem/domain-error';

/** Runs SQL: a DataSource or an EntityManager. */
type Sql = { query(sql: string, parameters?: unknown[]): Promise<unknown[]> };

/** A user named in a request body (salesperson, advisor, assignee, owner), as the rooftop check needs them. */
export interface NamedUser {
  role: Role;
  active: boolean;
  rooftopIds: string[];
}

/** An id in a body or a query filter that names nothing the caller can see: 404 as for a path id, naming the field. */
export function notFoundIn(field: string, what: string): DomainError {
  return new DomainError(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`, [
    { field, message: `${field} names no ${what.toLowerCase()} you can see` },
  ]);
}

/** 401: no valid credentials, or the user behind them is disabled or removed. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'The token or API key is invalid, expired or revoked') {
    super(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);
  }
}

/**
 * The active user whose id is `param` (e.g. '$1') with the rooftops granted to them: the `FROM … GROUP BY` of a
 * select of `u.id`, `u.role` and ACTIVE_USER_ROOFTOPS. One row, or none for a user disabled or removed. The guard
 * (AuthService.authenticateToken) and UncheckedUser.column read the user through it.
 */
export const activeUserFrom = (param: string) =>
  `FROM app_user u LEFT JOIN user_rooftop ur ON ur.user_id = u.id WHERE u.id = ${param}::uuid AND u.active GROUP BY u.id`;
export const ACTIVE_USER_ROOFTOPS = `COALESCE(array_agg(ur.rooftop_id) FILTER (WHERE ur.rooftop_id IS NOT NULL), '{}')`;

/** What `UncheckedUser.column` reads: the role and granted rooftops of an active user. */
export interface ActiveUserRow {
  role: Role;
  rooftops: string[];
}

/**
 * The user of a valid JWT on a route marked @UserCheckedByRoute(): the guard verified the token (signature, expiry,
 * subject) but did not read app_user, to save the route a round trip. The route reads `UncheckedUser.column` in
 * its first statement, before anything is written, and calls `checked` with it: a user disabled or removed since
 * the token was issued is refused at once (401), as by the guard.
 */
export class UncheckedUser {
  constructor(readonly id: string) {}

  /** A json column: the role and rooftops of the user whose id is `param` (e.g. '$5'), null unless active. */
  static column(param: string): string {
    return `(SELECT json_build_object('role', u.role, 'rooftops', ${ACTIVE_USER_ROOFTOPS}) ${activeUserFrom(param)})`;
  }

  /** The principal, from what `column` read; 401 when the user is no longer active. */
  checked(row: ActiveUserRow | null): AuthUser {
    if (!row) throw new UnauthenticatedError();
    return new AuthUser(this.id, row.role, row.rooftops, 'jwt');
  }
}

/** The authenticated principal of a request (a user, or an API key acting as its user). */
export class AuthUser {
  constructor(
    readonly id: string,
    readonly role: Role,
    /** Rooftops granted to the user; admins see every rooftop. */
    readonly rooftopIds: readonly string[],
    readonly via: 'jwt' | 'api_key',
    readonly apiKeyId?: string,
  ) {}

  get isAdmin() {
    return this.role === 'admin';
  }

  get isManager() {
    return this.role === 'admin' || this.role === 'manager';
  }

  canSeeRooftop(rooftopId: string | null | undefined): boolean {
    return this.isAdmin || (!!rooftopId && this.rooftopIds.includes(rooftopId));
  }

  /** Another rooftop's record answers 404, as if it did not exist (SPEC "Ground rules"). */
  assertRooftop(rooftopId: string | null | undefined, what: string): void {
    if (!this.canSeeRooftop(rooftopId)) throw new NotFoundError(what);
  }

  /** A record named by an id in a body or a query filter: 404 naming the field unless its rooftop is granted. */
  assertRooftopIn(rooftopId: string | null | undefined, field: string, what: string): void {
    if (!this.canSeeRooftop(rooftopId)) throw notFoundIn(field, what);
  }

  /** A rooftop id in a body or `?rooftopId=`: 404 naming the field unless the rooftop exists and is granted. */
  async assertUsableRooftop(sql: Sql, rooftopId: string, field: string): Promise<void> {
    this.assertRooftopIn(rooftopId, field, 'Rooftop');
    // Granted rooftops exist (user_rooftop references rooftop): only an admin can name one that does not.
    if (this.isAdmin && (await sql.query(`SELECT 1 FROM rooftop WHERE id = $1`, [rooftopId])).length === 0)
      throw notFoundIn(field, 'Rooftop');
  }

  /** The user an id in a body names, with their granted rooftops; undefined when there is none. */
  static async namedUser(sql: Sql, userId: string): Promise<NamedUser | undefined> {
    const [user] = (await sql.query(
      `SELECT u.role, u.active, ARRAY(SELECT ur.rooftop_id::text FROM user_rooftop ur WHERE ur.user_id = u.id) AS "rooftopIds"
         FROM app_user u WHERE u.id = $1`,
      [userId],
    )) as NamedUser[];
    return user;
  }

  /**
   * A user named in a body, put on a record of `rooftopId`: 404 naming the field unless the caller can see them
   * (they share a rooftop; admins see everyone and are seen by everyone), 422 naming the field when the caller
   * can but they are not granted `rooftopId` (admins belong to every rooftop).
   */
  assertColleague(user: NamedUser | undefined, rooftopId: string, field: string): asserts user is NamedUser {
    const admin = user?.role === 'admin';
    if (!user || !(this.isAdmin || admin || user.rooftopIds.some((r) => this.rooftopIds.includes(r))))
      throw notFoundIn(field, 'User');
    if (!admin && !user.rooftopIds.includes(rooftopId)) {
      throw new UnprocessableError('user_not_of_rooftop', `${field} is not a user of the record's rooftop`, [
        { field, message: `${field} must be a user granted the record's rooftop` },
      ]);
    }
  }

  /** For SQL filters: `null` means every rooftop (admin). */
  rooftopScope(): string[] | null {
    return this.isAdmin ? null : [...this.rooftopIds];
  }
}
