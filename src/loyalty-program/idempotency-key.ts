import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { DomainError, ValidationFailedError } from '../common/problem/domain-error';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

function read(ctx: ExecutionContext): string | undefined {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (header === undefined || header === '') return undefined;
  const value = String(header).trim();
  if (!KEY_PATTERN.test(value)) {
    throw new ValidationFailedError([
      {
        field: 'Idempotency-Key',
        message: 'Idempotency-Key must be 1–200 visible ASCII characters, e.g. a UUID',
      },
    ]);
  }
  return value;
}

/** A REQUIRED `Idempotency-Key` header (money-like writes): missing → 428. */
export const RequiredIdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const key = read(ctx);
  if (key === undefined) {
    throw new DomainError(
      HttpStatus.PRECONDITION_REQUIRED,
      'idempotency_key_required',
      'Send an Idempotency-Key header (e.g. a UUID) so that a retried request cannot redeem twice',
    );
  }
  return key;
});

/** An optional `Idempotency-Key` header. */
export const OptionalIdempotencyKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => read(ctx),
);

/** Fingerprint of a request: same key + a different fingerprint is refused (422). */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
