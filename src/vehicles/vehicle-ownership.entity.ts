import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One period of ownership; the current one has `endedAt` null (at most one per vehicle). */
@Entity('vehicle_ownership')
export class VehicleOwnership {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) vehicleId: string;
  @Column({ type: 'uuid' }) customerId: string;
  @Column({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ type: 'uuid', nullable: true }) recordedBy: string | null;
}
