import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const TASK_TYPES = [
  'call_after_sale',
  'lease_end',
  'win_back',
  'complaint_breach',
  'manual',
  'reply',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A to-do for a staff member about a customer: cadence calls, lease ends, win-backs, complaint breaches. */
@Entity('task')
export class Task {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') rooftopId: string;
  @Column('uuid') customerId: string;
  @Column({ type: 'uuid', nullable: true }) vehicleId: string | null;
  @Column({ type: 'uuid', nullable: true }) complaintId: string | null;
  @Column({ type: 'text' }) type: TaskType;
  @Column() title: string;
  @Column('uuid') assigneeId: string;
  @Column({ type: 'timestamptz' }) dueAt: Date;
  @Column({ type: 'text' }) status: TaskStatus;
  @Column({ type: 'text', nullable: true }) outcome: string | null;
  @Column({ type: 'timestamptz', nullable: true }) snoozedUntil: Date | null;
  /** Unique per cadence occurrence; null for manual tasks. */
  @Column({ type: 'text', nullable: true }) dedupeKey: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'uuid', nullable: true }) completedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @VersionColumn() version: number;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
