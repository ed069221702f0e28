import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface ImportRowError {
  /** Line of the file where the record ends (the header is line 1). */
  row: number;
  /** CSV column name, e.g. `phone`; `*` for the whole row. */
  field: string;
  message: string;
}

/** A CSV import: updated after every batch so that progress is visible while a large file still uploads. */
@Entity('import_job')
export class ImportJob {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) kind: 'customers';
  @Column({ type: 'uuid' }) rooftopId: string;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ type: 'text' }) source: 'api' | 'cli';
  @Column({ type: 'text', nullable: true }) fileName: string | null;
  @Column({ type: 'text' }) status: 'running' | 'completed' | 'failed';
  @Column({ type: 'int' }) rowsProcessed: number;
  @Column({ type: 'int' }) created: number;
  @Column({ type: 'int' }) updated: number;
  @Column({ type: 'int' }) unchanged: number;
  @Column({ type: 'int' }) failed: number;
  @Column({ type: 'jsonb' }) errors: ImportRowError[];
  @Column() errorsTruncated: boolean;
  @Column({ type: 'text', nullable: true }) failure: string | null;
  @Column({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  @Column({ type: 'timestamptz' }) updatedAt: Date;
}
