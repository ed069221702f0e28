import { createParamDecorator, ExecutionContext, HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { DomainError, ValidationFailedError } from '../problem/domain-error';

/**
 * The `Idempotency-Key` header of writes with money-like or message-like effects (SPEC "API shape"):
 * its format, the parameter decorators that read it, and the request fingerprint that tells a replay
 * (same key, same body → the first answer) from a misuse (same key, another body → 422). Each module keeps
 * its keys in its own table: service visits and appointments through `IdempotencyKeyStore`
 * (idempotency-store.ts), loyalty in its ledger's store (it remembers a ledger answer).
 */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function assertIdempotencyKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationFailedError([
      {
        field: 'Idempotency-Key',
        message: 'Idempotency-Key must be 1–255 visible ASCII characters, e.g. a UUID',
      },
    ]);
  }
}

function read(ctx: ExecutionContext): string | undefined {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (header === undefined || header === '') return undefined;
  const value = String(header).trim();
  assertIdempotencyKey(value);
  return value;
}

/** A REQUIRED `Idempotency-Key` header: missing → 428. */
export const RequiredIdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const key = read(ctx);
  if (key === undefined) {
    throw new DomainError(
      HttpStatus.PRECONDITION_REQUIRED,
      'idempotency_key_required',
      'Send an Idempotency-Key header (e.g. a UUID) so that a retried request cannot take effect twice',
    );
  }
  return key;
});

/** An optional `Idempotency-Key` header. */
export const OptionalIdempotencyKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => read(ctx),
);

/** Canonical JSON (keys sorted) so that the same body in another key order fingerprints the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Fingerprint of a request body. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
