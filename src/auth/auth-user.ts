import type { Role } from '../users/user.entity';
import { NotFoundError } from '../common/problem/domain-error';

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

  /** For SQL filters: `null` means every rooftop (admin). */
  rooftopScope(): string[] | null {
    return this.isAdmin ? null : [...this.rooftopIds];
  }
}
