import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AuthUser } from '../auth/auth-user';
import { AuditEntry } from './audit-entry.entity';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId?: string | null;
  rooftopId?: string | null;
  /** Names of the fields that changed — never their values. */
  fields?: string[];
  reason?: string | null;
}

@Injectable()
export class AuditService {
  constructor(private readonly clock: Clock) {}

  /** Writes in the caller's transaction, so the audit entry exists exactly when the change does. */
  async record(manager: EntityManager, actor: AuthUser | null, record: AuditRecord): Promise<void> {
    await manager.insert(AuditEntry, {
      at: this.clock.now(),
      actorId: actor?.id ?? null,
      actorKind: actor ? actor.via === 'api_key' ? 'api_key' : 'user' : 'system',
      action: record.action,
      entityType: record.entityType,
      entityId: record.entityId ?? null,
      rooftopId: record.rooftopId ?? null,
      fields: record.fields ?? [],
      reason: record.reason ?? null,
      requestId: null,
    });
  }
}
