import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const INTERACTION_KINDS = ['call', 'email', 'visit', 'note', 'sms', 'meeting', 'telegram'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];
export const INTERACTION_DIRECTIONS = ['inbound', 'outbound'] as const;
export type InteractionDirection = (typeof INTERACTION_DIRECTIONS)[number];

/** A call, email, visit or note logged by staff on a customer: the CRM timeline. */
@Entity('interaction')
export class Interaction {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) customerId: string;
  @Column({ type: 'uuid' }) rooftopId: string;
  @Column({ type: 'text' }) kind: InteractionKind;
  @Column({ type: 'text', nullable: true }) direction: InteractionDirection | null;
  @Column() summary: string;
  @Column({ type: 'timestamptz' }) occurredAt: Date;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
}
