import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const APPOINTMENT_STATES = ['booked', 'checked_in', 'completed', 'cancelled', 'no_show'] as const;
export type AppointmentState = (typeof APPOINTMENT_STATES)[number];

export const APPOINTMENT_SOURCES = ['phone', 'walk_in', 'online', 'staff'] as const;
export type AppointmentSource = (typeof APPOINTMENT_SOURCES)[number];

/** A booked place in a slot of a rooftop's service calendar. */
@Entity('appointment')
export class Appointment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) rooftopId: string;
  @Column({ type: 'uuid' }) customerId: string;
  @Column({ type: 'uuid', nullable: true }) vehicleId: string | null;
  @Column({ type: 'uuid', nullable: true }) advisorId: string | null;
  @Column({ type: 'timestamptz' }) slotStart: Date;
  @Column({ type: 'timestamptz' }) slotEnd: Date;
  @Column({ type: 'text' }) state: AppointmentState;
  @Column({ type: 'text', array: true }) itemCodes: string[];
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ type: 'text' }) source: AppointmentSource;
  @Column({ type: 'text' }) language: string;
  /** Attribution: the message whose link led to this booking, and its kind. */
  @Column({ type: 'uuid', nullable: true }) originMessageId: string | null;
  @Column({ type: 'text', nullable: true }) originKind: string | null;
  @Column({ type: 'uuid', nullable: true }) bookedBy: string | null;
  @Column({ type: 'text', nullable: true }) cancelReason: string | null;
  @Column({ type: 'timestamptz', nullable: true }) cancelledAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) checkedInAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) serviceVisitId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) noShowAt: Date | null;
  /** The calendar invite's SEQUENCE: raised on each reschedule and on cancel. */
  @Column({ type: 'integer' }) icsSequence: number;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
