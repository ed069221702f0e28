import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const COMPLAINT_SOURCES = ['survey', 'call', 'email', 'visit', 'social'] as const;
export type ComplaintSource = (typeof COMPLAINT_SOURCES)[number];
export const COMPLAINT_SEVERITIES = ['low', 'medium', 'high'] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];
export const COMPLAINT_STATES = ['open', 'acknowledged', 'resolved', 'closed'] as const;
export type ComplaintState = (typeof COMPLAINT_STATES)[number];

/** A complaint with an owner and two SLA deadlines (first response 24 h, resolution 7 days). */
@Entity('complaint_case')
export class ComplaintCase {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') rooftopId: string;
  @Column('uuid') customerId: string;
  @Column({ type: 'uuid', nullable: true }) surveyId: string | null;
  @Column({ type: 'text' }) source: ComplaintSource;
  @Column({ type: 'text' }) severity: ComplaintSeverity;
  @Column() summary: string;
  @Column({ type: 'uuid', nullable: true }) ownerId: string | null;
  @Column({ type: 'text' }) state: ComplaintState;
  @Column({ type: 'timestamptz' }) openedAt: Date;
  @Column({ type: 'timestamptz' }) firstResponseDueAt: Date;
  @Column({ type: 'timestamptz' }) resolutionDueAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'text', nullable: true }) resolution: string | null;
  @Column() apologySent: boolean;
  @Column('int') goodwillPoints: number;
  @Column() breachedFirstResponse: boolean;
  @Column() breachedResolution: boolean;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

@Entity('complaint_note')
export class ComplaintNote {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') caseId: string;
  @Column({ type: 'uuid', nullable: true }) authorId: string | null;
  @Column() body: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
