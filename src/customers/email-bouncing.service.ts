import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';

/**
 * SPEC "Sending rules": an SMTP 5xx marks the customer's address bouncing, and no email goes to it while
 * it is marked. The mark is a column of `customer`, so customers write it; messaging asks here.
 */
@Injectable()
export class EmailBouncingService {
  constructor(private readonly audit: AuditService) {}

  /** Marks the addresses of these customers bouncing (set-based: a dispatcher batch's 5xx answers). */
  async mark(manager: EntityManager, customerIds: string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await manager.query(
      `UPDATE customer SET email_bouncing = true, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND NOT email_bouncing`,
      [customerIds],
    );
  }

  /**
   * Clears the mark (staff retry a message that bounced: they believe the address works again), with an
   * audit entry when it was set. Returns whether it was set.
   */
  async clear(
    manager: EntityManager,
    customerId: string,
    actor: AuthUser,
    audit: { rooftopId: string; reason: string },
  ): Promise<boolean> {
    const [, cleared]: [unknown[], number] = await manager.query(
      `UPDATE customer SET email_bouncing = false, updated_at = now() WHERE id = $1 AND email_bouncing`,
      [customerId],
    );
    if (cleared === 0) return false;
    await this.audit.record(manager, actor, {
      action: 'customer.bouncing_cleared',
      entityType: 'customer',
      entityId: customerId,
      rooftopId: audit.rooftopId,
      fields: ['emailBouncing'],
      reason: audit.reason,
    });
    return true;
  }
}
