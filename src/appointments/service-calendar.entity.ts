import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { OpeningInterval, Weekday } from './availability-rules';

/** A rooftop's service calendar: opening hours (local), closed dates, slot length, places, lead time, horizon. */
@Entity('service_calendar')
export class ServiceCalendar {
  @PrimaryColumn({ type: 'uuid' }) rooftopId: string;
  @Column({ type: 'jsonb' }) openingHours: Partial<Record<Weekday, OpeningInterval[]>>;
  @Column({ type: 'date', array: true }) closedDates: string[];
  @Column({ type: 'integer' }) slotMinutes: number;
  @Column({ type: 'integer' }) placesPerSlot: number;
  @Column({ type: 'integer' }) leadMinutes: number;
  @Column({ type: 'integer' }) horizonDays: number;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
