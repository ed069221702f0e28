import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { LoyaltyService } from '../../src/loyalty-program/loyalty.service';
import type { TestApp } from './test-app';

/**
 * Points credited as a service visit earns them (LoyaltyService.credit, a fresh idempotency key each time): in
 * `manager`'s transaction when given (a test that holds it open), else in one of its own.
 */
export function creditPoints(
  t: TestApp,
  customerId: string,
  points: number,
  opts: { occurredAt?: Date; manager?: EntityManager } = {},
) {
  const credit = (m: EntityManager) =>
    t.app.get(LoyaltyService).credit(m, {
      customerId,
      points,
      source: 'visit',
      reason: 'test credit',
      idempotencyKey: randomUUID(),
      actor: null,
      occurredAt: opts.occurredAt,
    });
  return opts.manager ? credit(opts.manager) : t.db.transaction(credit);
}
