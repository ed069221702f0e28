import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A maintenance item done on a vehicle; written when a visit closes, deleted when it is voided (contract C1). */
@Entity('maintenance_performed')
export class MaintenancePerformed {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) vehicleId: string;
  @Column() itemCode: string;
  @Column({ type: 'timestamptz' }) performedAt: Date;
  @Column({ type: 'integer' }) odometer: number;
  @Column({ type: 'uuid', nullable: true }) serviceVisitId: string | null;
}
