import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who changed what, when. Holds field names only, never values, so it leaks no personal data or secrets. */
@Entity('audit_log')
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column() actorKind: string;
  @Column() action: string;
  @Column() entityType: string;
  @Column({ type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'uuid', nullable: true }) rooftopId: string | null;
  @Column({ type: 'text', array: true }) fields: string[];
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ type: 'text', nullable: true }) requestId: string | null;
}
