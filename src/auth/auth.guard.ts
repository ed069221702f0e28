import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError, ForbiddenError } from '../common/problem/domain-error';
import type { Role } from './roles';
import { AuthService } from './auth.service';
import { IS_PUBLIC, ROLES_KEY } from './decorators';

class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);
  }
}

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

    const header = request.headers.authorization;
    const apiKeyHeader = request.headers['x-api-key'];
    let user;
    if (typeof apiKeyHeader === 'string' && apiKeyHeader) {
      user = await this.auth.authenticateApiKey(apiKeyHeader);
    } else if (typeof header === 'string' && /^Bearer\s+/i.test(header)) {
      const token = header.replace(/^Bearer\s+/i, '').trim();
      user = token.startsWith('crm_')
        ? await this.auth.authenticateApiKey(token)
        : await this.auth.authenticateToken(token);
    } else {
      throw new UnauthenticatedError(
        'Log in (POST /api/v1/auth/login) and send Authorization: Bearer <token>, or send X-API-Key',
      );
    }
    if (!user) throw new UnauthenticatedError('The token or API key is invalid, expired or revoked');
    request.user = user;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) throw new ForbiddenError();
    return true;
  }
}
