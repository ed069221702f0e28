import { CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../problem/domain-error';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * An action without a body (close, acknowledge, erasure, retry, delete) takes none: no body or `{}`.
 * Anything else is refused with 400 naming each field, as unknown fields are refused on every other
 * endpoint — a client that sends `{"reason": …}` to an action that ignores it learns so at once.
 * A guard, because no body parameter exists for the validation pipe to check; it runs after the login
 * guard, so a caller without a login still gets 401.
 */
@Injectable()
export class NoBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body = context.switchToHttp().getRequest<FastifyRequest>().body;
    if (body === undefined) return true;
    if (!isPlainObject(body)) {
      throw new ValidationFailedError(
        [{ field: 'body', message: 'this request takes no body' }],
        'This request takes no body',
      );
    }
    const fields = Object.keys(body);
    if (fields.length === 0) return true;
    throw new ValidationFailedError(
      fields.map((field) => ({ field, message: `${field} is not a known field` })),
      'This request takes no body',
    );
  }
}

/** Refuses a request body on an endpoint that takes none (see NoBodyGuard). */
export const NoBody = () => UseGuards(NoBodyGuard);
