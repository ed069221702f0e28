import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const VISIT_STATUSES = ['open', 'closed', 'voided'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];

/** A repair order. Money columns are numeric(12,2), read as strings by pg and exposed as numbers. */
@Entity('service_visit')
export class ServiceVisit {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) rooftopId: string;
  @Column({ type: 'uuid' }) vehicleId: string;
  /** The vehicle's owner when the visit was logged. */
  @Column({ type: 'uuid', nullable: true }) customerId: string | null;
  @Column({ type: 'uuid', nullable: true }) advisorId: string | null;
  @Column() roNumber: string;
  @Column({ type: 'timestamptz' }) visitDate: Date;
  @Column({ type: 'integer' }) odometer: number;
  @Column({ type: 'text' }) status: VisitStatus;
  @Column({ type: 'numeric', precision: 12, scale: 2 }) customerPayAmount: string;
  @Column({ type: 'numeric', precision: 12, scale: 2 }) warrantyAmount: string;
  @Column({ type: 'numeric', precision: 12, scale: 2 }) internalAmount: string;
  @Column({ type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) voidedAt: Date | null;
  @Column({ type: 'text', nullable: true }) voidReason: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
