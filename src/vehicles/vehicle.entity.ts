import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const POWERTRAINS = ['ice', 'hybrid', 'ev'] as const;
export type Powertrain = (typeof POWERTRAINS)[number];
export const PURCHASE_TYPES = ['new', 'used', 'lease', 'finance', 'cash'] as const;
export type PurchaseType = (typeof PURCHASE_TYPES)[number];
export const VEHICLE_STATUSES = ['active', 'sold_away', 'scrapped'] as const;
export type VehicleStatus = (typeof VEHICLE_STATUSES)[number];

/** A vehicle known to the dealer group. Rooftop scoping uses `rooftopId`; `ownerId` is the current owner. */
@Entity('vehicle')
export class Vehicle {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) rooftopId: string;
  @Column() vin: string;
  @Column() make: string;
  @Column() model: string;
  @Column({ type: 'smallint' }) year: number;
  @Column({ type: 'text' }) powertrain: Powertrain;
  @Column({ type: 'uuid', nullable: true }) ownerId: string | null;
  /** Calendar date (YYYY-MM-DD). */
  @Column({ type: 'date', nullable: true }) purchaseDate: string | null;
  @Column({ type: 'text', nullable: true }) purchaseType: PurchaseType | null;
  @Column({ type: 'integer' }) purchaseOdometer: number;
  @Column({ type: 'uuid', nullable: true }) soldById: string | null;
  @Column({ type: 'uuid', nullable: true }) sellingRooftopId: string | null;
  /** Lease or finance end date. */
  @Column({ type: 'date', nullable: true }) termEndDate: string | null;
  @Column({ type: 'date', nullable: true }) warrantyEndDate: string | null;
  @Column({ type: 'integer', nullable: true }) warrantyEndDistance: number | null;
  @Column({ type: 'text' }) status: VehicleStatus;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
