import {
  Column,
  CreateDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Role } from '../auth/roles';
import { Rooftop } from '../rooftops/rooftop.entity';

@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() email: string;
  @Column() name: string;
  @Column({ type: 'text' }) role: Role;
  @Column({ type: 'text' }) language: 'en' | 'km' | 'lo';
  @Column({ type: 'text', nullable: true, select: false }) passwordHash: string | null;
  @Column() active: boolean;
  @Column({ type: 'timestamptz', nullable: true }) lastLoginAt: Date | null;
  @ManyToMany(() => Rooftop)
  @JoinTable({
    name: 'user_rooftop',
    joinColumn: { name: 'user_id' },
    inverseJoinColumn: { name: 'rooftop_id' },
  })
  rooftops: Rooftop[];
  @VersionColumn() version: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
