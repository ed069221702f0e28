import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PAY_TYPES = ['customer', 'warranty', 'internal'] as const;
export type PayType = (typeof PAY_TYPES)[number];

/** A performed line (labour, parts, pay type) or a declined one (recommended but refused, with an estimate). */
@Entity('service_visit_line')
export class ServiceVisitLine {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) serviceVisitId: string;
  @Column({ type: 'integer' }) position: number;
  @Column({ type: 'text' }) kind: 'performed' | 'declined';
  @Column({ type: 'text', nullable: true }) itemCode: string | null;
  @Column() description: string;
  @Column({ type: 'numeric', precision: 12, scale: 2, nullable: true }) labourAmount: string | null;
  @Column({ type: 'numeric', precision: 12, scale: 2, nullable: true }) partsAmount: string | null;
  @Column({ type: 'text', nullable: true }) payType: PayType | null;
  @Column({ type: 'numeric', precision: 12, scale: 2, nullable: true }) estimateAmount: string | null;
}
