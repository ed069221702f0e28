import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AuditEntry } from './audit-entry.entity';

/** What an erased free-text reason reads afterwards. */
const ERASED_TEXT = '[erased]';

/**
 * Who did it: the acting user, and whether they came with a login or an API key. Auth's principal (AuthUser)
 * is one; audit needs nothing else of it, so audit depends on nothing of auth.
 */
export interface AuditActor {
  readonly id: string;
  readonly via: 'jwt' | 'api_key';
}

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
  async record(manager: EntityManager, actor: AuditActor | null, record: AuditRecord): Promise<void> {
    await manager.insert(AuditEntry, {
      at: this.clock.now(),
      actorId: actor?.id ?? null,
      actorKind: actorKind(actor),
      action: record.action,
      entityType: record.entityType,
      entityId: record.entityId ?? null,
      rooftopId: record.rooftopId ?? null,
      fields: record.fields ?? [],
      reason: record.reason ?? null,
      requestId: null,
    });
  }

  /**
   * The same entry for many records of one type (a set-based write such as an import) in one statement: one
   * row per id, at `at` (the write's own business time).
   */
  async recordMany(
    manager: EntityManager,
    actor: AuditActor | null,
    record: Omit<AuditRecord, 'entityId'> & { entityIds: string[]; at: Date },
  ): Promise<void> {
    if (record.entityIds.length === 0) return;
    await manager.query(
      `INSERT INTO audit_log (at, actor_id, actor_kind, action, entity_type, entity_id, rooftop_id, fields, reason)
       SELECT $1, $2, $3, $4, $5, id, $6, $7, $8 FROM unnest($9::text[]) AS id`,
      [
        record.at,
        actor?.id ?? null,
        actorKind(actor),
        record.action,
        record.entityType,
        record.rooftopId ?? null,
        record.fields ?? [],
        record.reason ?? null,
        record.entityIds,
      ],
    );
  }

  /**
   * Erasure of a customer: the free-text reasons staff wrote on entries of `actions` about `entityIds` (of
   * `entityType`) are blanked, in the caller's transaction. Who did what, and when, stays. The module that
   * owns the entities knows which of them concern the customer, and which of its actions carry free text.
   */
  async eraseReasons(
    manager: EntityManager,
    entries: { entityType: string; entityIds: string[]; actions: string[] },
  ): Promise<void> {
    if (entries.entityIds.length === 0) return;
    await manager.query(
      `UPDATE audit_log SET reason = $4
        WHERE entity_type = $1 AND entity_id = ANY ($2::text[]) AND action = ANY ($3::text[]) AND reason IS NOT NULL`,
      [entries.entityType, entries.entityIds, entries.actions, ERASED_TEXT],
    );
  }
}

function actorKind(actor: AuditActor | null): string {
  return actor ? (actor.via === 'api_key' ? 'api_key' : 'user') : 'system';
}
