import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './roles';
import { IS_PUBLIC, ROLES_KEY } from '../common/http/route-metadata';
import type { AuthUser } from './auth-user';

export { IS_PUBLIC, ROLES_KEY };

/** Marks a route as reachable without credentials (health, signed customer links, login). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts a route to the given roles (SPEC permission table); others get 403. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
