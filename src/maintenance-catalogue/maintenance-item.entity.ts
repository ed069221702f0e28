import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Powertrain } from '../vehicles/vehicle.entity';

/** A maintenance item of the catalogue (SPEC defaults seeded by migration 1764000003000). */
@Entity('maintenance_item')
export class MaintenanceItem {
  @PrimaryColumn() code: string;
  @Column() name: string;
  @Column({ type: 'int', nullable: true }) intervalKm: number | null;
  @Column({ type: 'int', nullable: true }) intervalMi: number | null;
  @Column({ type: 'int', nullable: true }) intervalMonths: number | null;
  /** Powertrains it applies to: EVs get no oil change. */
  @Column({ type: 'text', array: true }) appliesTo: Powertrain[];
  @Column() active: boolean;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
