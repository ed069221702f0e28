import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { EntrySource, EntryType, Tier } from './loyalty-rules';

/** One per customer. `balance` always equals the sum of the ledger (enforced by triggers, see the migration). */
@Entity('loyalty_account')
export class LoyaltyAccount {
  @PrimaryColumn('uuid') customerId: string;
  @Column('int') balance: number;
  @Column('int') lifetimeEarned: number;
  @Column('text') tier: Tier;
  @Column({ type: 'timestamptz', nullable: true }) tierChangedAt: Date | null;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

/** An append-only ledger line. Credits are lots (`remaining`, `expiresAt`) consumed oldest first. */
@Entity('loyalty_entry')
export class LoyaltyEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column('uuid') customerId: string;
  @Column('text') type: EntryType;
  @Column('int') points: number;
  @Column('text') reason: string;
  @Column('text') source: EntrySource;
  @Column('text') sourceId: string;
  @Column('text') idempotencyKey: string;
  @Column({ type: 'uuid', nullable: true }) rooftopId: string | null;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ type: 'timestamptz' }) occurredAt: Date;
  @Column({ type: 'timestamptz' }) recordedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ type: 'int', nullable: true }) remaining: number | null;
  @Column({ type: 'bigint', nullable: true }) reversesEntryId: string | null;
  @Column('int') balanceAfter: number;
}

/** Which lots a debit consumed, and how many points from each. */
@Entity('loyalty_allocation')
export class LoyaltyAllocation {
  @PrimaryColumn({ type: 'bigint' }) debitEntryId: string;
  @PrimaryColumn({ type: 'bigint' }) lotEntryId: string;
  @Column('int') points: number;
}

@Entity('loyalty_reward')
export class LoyaltyReward {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') code: string;
  @Column('text') name: string;
  @Column('int') pointsCost: number;
  @Column() active: boolean;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}

@Entity('loyalty_redemption')
export class LoyaltyRedemption {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') customerId: string;
  @Column({ type: 'uuid', nullable: true }) rewardId: string | null;
  @Column('int') points: number;
  @Column('text') reason: string;
  @Column({ type: 'bigint' }) entryId: string;
  @Column({ type: 'uuid', nullable: true }) rooftopId: string | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
}

@Entity('referral')
export class Referral {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') referrerCustomerId: string;
  @Column('uuid') referredCustomerId: string;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) rewardedAt: Date | null;
}

/** A stored answer to an idempotent write: same key + same body → the same answer again. */
@Entity('loyalty_idempotency')
export class LoyaltyIdempotency {
  @PrimaryColumn('text') scope: string;
  @PrimaryColumn('text') key: string;
  @Column('text') requestHash: string;
  @Column('int') status: number;
  @Column({ type: 'jsonb' }) body: unknown;
  @Column({ type: 'timestamptz' }) createdAt: Date;
}

export const LOYALTY_ENTITIES = [
  LoyaltyAccount,
  LoyaltyEntry,
  LoyaltyAllocation,
  LoyaltyReward,
  LoyaltyRedemption,
  Referral,
  LoyaltyIdempotency,
];
