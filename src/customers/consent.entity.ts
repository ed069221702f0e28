import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Channel } from '../common/channels';
import type { Purpose } from './consent-rules';

/** One entry of the append-only consent history; the latest entry per purpose is the current state. */
@Entity('consent')
export class Consent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) customerId: string;
  @Column({ type: 'text' }) purpose: Purpose;
  @Column({ type: 'text' }) channel: Channel;
  @Column() granted: boolean;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column() source: string;
  @Column({ type: 'text', nullable: true }) wording: string | null;
  @Column({ type: 'uuid', nullable: true }) recordedBy: string | null;
}
