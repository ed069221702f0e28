import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

/** Per make (model null) or make+model intervals replacing the item's own; the most specific active one wins. */
@Entity('maintenance_item_override')
export class MaintenanceItemOverride {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() itemCode: string;
  @Column() make: string;
  @Column({ type: 'text', nullable: true }) model: string | null;
  @Column({ type: 'int', nullable: true }) intervalKm: number | null;
  @Column({ type: 'int', nullable: true }) intervalMi: number | null;
  @Column({ type: 'int', nullable: true }) intervalMonths: number | null;
  @Column() active: boolean;
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
