import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Channel } from '../common/channels';

/** A dealership location. Its time zone and sending window decide when customers may be emailed. */
@Entity('rooftop')
export class Rooftop {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column() timeZone: string;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column() address: string;
  @Column() phone: string;
  @Column({ type: 'text', nullable: true }) senderEmail: string | null;
  @Column({ type: 'text', nullable: true }) senderName: string | null;
  @Column({ type: 'text', nullable: true }) bookingUrl: string | null;
  /** Local HH:MM; outside [start, end) is quiet and sending is deferred. */
  @Column({ type: 'char', length: 5 }) sendWindowStart: string;
  @Column({ type: 'char', length: 5 }) sendWindowEnd: string;
  /** The channels tried in this order (a customer's preferred channel goes first). */
  @Column({ type: 'text', array: true }) channelOrder: Channel[];
  /** Per-rooftop overrides of cadence offsets, templates and on/off switches. */
  @Column({ type: 'jsonb' }) settings: Record<string, unknown>;
  @Column() active: boolean;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
