import { AuditEntry } from './audit-entry.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const AUDIT_ENTITIES: Function[] = [AuditEntry];
