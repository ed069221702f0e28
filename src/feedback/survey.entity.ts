import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Language } from '../config/app-config';

export const SURVEY_KINDS = ['sale', 'service'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** A survey invitation (planned by the follow-ups job) and, once answered, the customer's answer. */
@Entity('survey')
export class Survey {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) kind: SurveyKind;
  @Column('uuid') rooftopId: string;
  @Column('uuid') customerId: string;
  @Column({ type: 'uuid', nullable: true }) vehicleId: string | null;
  @Column({ type: 'uuid', nullable: true }) serviceVisitId: string | null;
  @Column({ type: 'uuid', nullable: true }) salespersonId: string | null;
  @Column({ type: 'uuid', nullable: true }) advisorId: string | null;
  @Column() dedupeKey: string;
  @Column({ type: 'text' }) language: Language;
  /** When the invitation email is planned to go out. */
  @Column({ type: 'timestamptz' }) issuedAt: Date;
  /** issuedAt + 30 days: later answers get 410. */
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) answeredAt: Date | null;
  @Column({ type: 'smallint', nullable: true }) nps: number | null;
  @Column({ type: 'smallint', nullable: true }) csat: number | null;
  @Column({ type: 'text', nullable: true }) comment: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
