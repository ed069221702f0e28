import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../common/problem/domain-error';

/** `If-Match` when given (412 when stale); complaint actions are state transitions, so it is optional. */
export const OptionalIfMatch = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): number | undefined => {
    const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
    if (header === undefined || header === '') return undefined;
    const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
    if (!match)
      throw new ValidationFailedError([
        { field: 'If-Match', message: 'If-Match must be the resource version, e.g. "3"' },
      ]);
    return Number(match[1]);
  },
);
