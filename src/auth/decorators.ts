import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './roles';
import { IS_PUBLIC, ROLES_KEY } from '../common/http/route-metadata';
import type { AuthUser, UncheckedUser } from './auth-user';

export { IS_PUBLIC, ROLES_KEY };

export const USER_CHECKED_BY_ROUTE = 'auth:user-checked-by-route';

/** Marks a route as reachable without credentials (health, signed customer links, login). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts a route to the given roles (SPEC permission table); others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<{ user: AuthUser }>().user;
});

/**
 * For a hot route without @Roles(): with a JWT the guard only verifies the token, and the handler gets an
 * UncheckedUser (`@CurrentPrincipal()`) whose user it must check in its first statement, before anything is
 * written (see UncheckedUser). API keys, and routes with @Roles(), are checked by the guard as everywhere.
 */
export const UserCheckedByRoute = () => SetMetadata(USER_CHECKED_BY_ROUTE, true);

/** The principal on a @UserCheckedByRoute() route: checked (API key) or still to check (JWT). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser | UncheckedUser =>
    ctx.switchToHttp().getRequest<{ user: AuthUser | UncheckedUser }>().user,
);
