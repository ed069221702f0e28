import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ODOMETER_SOURCES = ['service_visit', 'sale', 'customer', 'import', 'staff'] as const;
export type OdometerSource = (typeof ODOMETER_SOURCES)[number];

/** A reading in the deployment's distance unit (DISTANCE_UNIT). */
@Entity('odometer_reading')
export class OdometerReading {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) vehicleId: string;
  @Column({ type: 'integer' }) value: number;
  @Column({ type: 'timestamptz' }) readAt: Date;
  @Column({ type: 'text' }) source: OdometerSource;
  @Column() isCorrection: boolean;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ type: 'uuid', nullable: true }) recordedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
