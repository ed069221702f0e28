import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError, ValidationFailedError } from '../problem/domain-error';

/**
 * Reads the expected `version` for an optimistic update from `If-Match` (`"3"`, `W/"3"` or `3`).
 * Updates without it get 428, so that nobody overwrites a change they never saw.
 */
export const readIfMatchVersion = (_: unknown, ctx: ExecutionContext): number => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const header = request.headers['if-match'];
  if (header === undefined || header === '') {
    throw new DomainError(
      HttpStatus.PRECONDITION_REQUIRED,
      'if_match_required',
      'Send If-Match with the version you read',
    );
  }
  return parseVersion(header);
};

function parseVersion(header: string | string[]): number {
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
  if (!match)
    throw new ValidationFailedError([
      { field: 'If-Match', message: 'If-Match must be the resource version, e.g. "3"' },
    ]);
  return Number(match[1]);
}

/** `readIfMatchVersion` as a parameter decorator; the route table finds its users by that factory. */
export const IfMatchVersion = createParamDecorator(readIfMatchVersion);

/**
 * `If-Match` when given (412 when stale), none allowed: for state transitions (complaint actions) and
 * settings set whole (a service calendar), where a missing version is not a lost update.
 */
export const OptionalIfMatch = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): number | undefined => {
    const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
    return header === undefined || header === '' ? undefined : parseVersion(header);
  },
);

export function etag(version: number): string {
  return `"${version}"`;
}
