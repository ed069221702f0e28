import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../common/problem/domain-error';
import type { Role } from './roles';
import { AuthService } from './auth.service';
import { UnauthenticatedError, UncheckedUser } from './auth-user';
import { IS_PUBLIC, ROLES_KEY, USER_CHECKED_BY_ROUTE } from './decorators';

/**
 * Global guard: every route needs a bearer token or an API key unless marked @Public(), so a new route
 * is protected by default. @Roles() narrows a route further (403).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>();

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const header = request.headers.authorization;
    const apiKeyHeader = request.headers['x-api-key'];
    let user;
    if (typeof apiKeyHeader === 'string' && apiKeyHeader) {
      user = await this.auth.authenticateApiKey(apiKeyHeader);
    } else if (typeof header === 'string' && /^Bearer\s+/i.test(header)) {
      const token = header.replace(/^Bearer\s+/i, '').trim();
      if (token.startsWith('crm_')) user = await this.auth.authenticateApiKey(token);
      else if (!roles && this.reflector.getAllAndOverride<boolean>(USER_CHECKED_BY_ROUTE, targets)) {
        // The route checks the user in its own first statement (UncheckedUser).
        const id = await this.auth.tokenSubject(token);
        if (!id) throw new UnauthenticatedError();
        request.user = new UncheckedUser(id);
        return true;
      } else user = await this.auth.authenticateToken(token);
    } else {
      throw new UnauthenticatedError(
        'Log in (POST /api/v1/auth/login) and send Authorization: Bearer <token>, or send X-API-Key',
      );
    }
    if (!user) throw new UnauthenticatedError();
    request.user = user;

    if (roles && !roles.includes(user.role)) throw new ForbiddenError();
    return true;
  }
}
