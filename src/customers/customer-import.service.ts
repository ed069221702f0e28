import { Injectable, Logger } from '@nestjs/common';
import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import { ConflictError, NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';
import { canonicalColumn, CsvColumn, CustomerRow, parseCustomerRow } from './customer-csv';
import { csvInputError, Utf8TextGuard } from './customer-csv-input';
import type { ListImportsQueryDto } from './dto/import.dto';
import { ImportJob, ImportRowError } from './import-job.entity';

export const IMPORT_BATCH_SIZE = 500;
/** The error report keeps the first errors only; the counts stay exact. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ImportOptions {
  rooftopId: string;
  /** null for the operator CLI. */
  actor: AuthUser | null;
  source: 'api' | 'cli';
  fileName?: string | null;
  /** A caller-chosen id, so progress can be watched while the upload is still running. */
  jobId?: string;
  onProgress?: (job: ImportJob) => void;
}

interface Existing {
  id: string;
  external_id: string;
  home_rooftop_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  birthday: string | null;
  language: string;
}

const FIELDS = ['firstName', 'lastName', 'email', 'phone', 'address', 'birthday', 'language'] as const;

/** Newest first: import_job_rooftop_idx (rooftop_id, started_at DESC) within a rooftop. */
const IMPORT_KEYS = new Keyset(
  [
    { sql: 'j.started_at', type: 'timestamptz' },
    { sql: 'j.id', type: 'uuid' },
  ],
  'DESC',
);

/**
 * Streams a DMS customer export into the customer table: validated row by row with the API's rules,
 * upserted by external id in batches, each batch in its own transaction together with the job's progress.
 * A bad row goes to the report and never stops the good ones; re-importing a file changes nothing.
 */
@Injectable()
export class CustomerImportService {
  private readonly logger = new Logger(CustomerImportService.name);

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async import(input: Readable, options: ImportOptions): Promise<ImportJob> {
    const job = await this.start(options);
    return this.run(job, input, options);
  }

  /** Creates the job row (committed at once, so GET /customers/imports/{id} sees it). */
  async start(options: ImportOptions): Promise<ImportJob> {
    if (options.actor) options.actor.assertRooftop(options.rooftopId, 'Rooftop');
    const rooftop: unknown[] = await this.db.query(`SELECT 1 FROM rooftop WHERE id = $1`, [
      options.rooftopId,
    ]);
    if (!rooftop.length) throw new NotFoundError('Rooftop');
    const now = this.clock.now();
    const repo = this.db.getRepository(ImportJob);
    const job = repo.create({
      ...(options.jobId ? { id: options.jobId } : {}),
      kind: 'customers',
      rooftopId: options.rooftopId,
      createdBy: options.actor?.id ?? null,
      source: options.source,
      fileName: options.fileName ?? null,
      status: 'running',
      rowsProcessed: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      errors: [],
      errorsTruncated: false,
      failure: null,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
    });
    try {
      await repo.insert(job);
    } catch (e) {
      if (
        e instanceof QueryFailedError &&
        (e as QueryFailedError & { driverError?: { code?: string } }).driverError?.code === '23505'
      ) {
        throw new ConflictError('import_job_exists', 'An import with this jobId already exists', {
          errors: [{ field: 'jobId', message: 'already used' }],
        });
      }
      throw e;
    }
    this.logger.log({
      msg: 'customer import started',
      jobId: job.id,
      rooftopId: job.rooftopId,
      source: job.source,
    });
    return job;
  }

  async run(job: ImportJob, input: Readable, options: ImportOptions): Promise<ImportJob> {
    const head: { columns: CsvColumn[] | null; error: string | null } = { columns: null, error: null };
    const parser = parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: 64 * 1024,
      info: true,
      columns: (cells: string[]) => {
        const columns = cells.map((c) => canonicalColumn(c));
        const present = columns.filter((c): c is CsvColumn => c !== undefined);
        const twice = present.find((c, i) => present.indexOf(c) !== i);
        const missing = (['external_id', 'first_name'] as const).filter((c) => !present.includes(c));
        if (twice) head.error = `the column ${twice} appears twice (aliases count)`;
        else if (missing.length) head.error = `the header lacks ${missing.join(', ')}`;
        head.columns = present;
        return columns.map((c) => c ?? false);
      },
    });
    // Bytes → UTF-8 check → parser. On a refusal the rest of the upload is drained, not cut off, so that
    // the client still reads the answer.
    const text = new Utf8TextGuard();
    input.on('error', (e) => parser.destroy(e));
    text.on('error', (e) => parser.destroy(e));
    input.pipe(text).pipe(parser);
    const drain = () => {
      input.unpipe(text);
      input.resume();
    };

    let batch: CustomerRow[] = [];
    try {
      for await (const { record, info } of parser as AsyncIterable<{
        record: Partial<Record<CsvColumn, string>>;
        info: { lines: number };
      }>) {
        if (head.error) break;
        job.rowsProcessed += 1;
        const row = info.lines;
        const parsed =
          Object.keys(record).length < (head.columns?.length ?? 0)
            ? [{ row, field: '*', message: 'the row has fewer fields than the header' }]
            : parseCustomerRow(record, row, this.clock.now());
        if (Array.isArray(parsed)) this.fail(job, parsed);
        else batch.push(parsed);
        if (batch.length >= IMPORT_BATCH_SIZE) {
          await this.writeBatch(job, batch, options);
          batch = [];
        }
      }
      if (!head.columns) head.error = 'the file is empty: a header row is required';
      if (head.error) {
        const headerError = head.error;
        drain();
        await this.finish(job, 'failed', headerError);
        throw new UnprocessableError(
          'csv_header_invalid',
          `The CSV header is not usable: ${headerError}`,
          [{ field: 'header', message: headerError }],
          { job },
        );
      }
      if (batch.length || job.rowsProcessed === 0) await this.writeBatch(job, batch, options);
      await this.finish(job, 'completed', null);
    } catch (e) {
      if (e instanceof UnprocessableError) throw e;
      // Every parser error and a file that is not UTF-8 text: 422 with the line, never the cell's content.
      const unreadable = csvInputError(e);
      if (unreadable) {
        drain();
        this.logger.warn({
          msg: 'customer import refused',
          jobId: job.id,
          code: unreadable.code,
          line: unreadable.line,
        });
        await this.finish(job, 'failed', unreadable.message);
        throw new UnprocessableError(
          'csv_malformed',
          `The CSV is malformed: ${unreadable.message}`,
          [{ field: 'body', message: unreadable.message }],
          { job },
        );
      }
      await this.finish(job, 'failed', 'the upload was interrupted or the import failed').catch(
        () => undefined,
      );
      throw e;
    }
    this.logger.log({
      msg: 'customer import finished',
      jobId: job.id,
      rows: job.rowsProcessed,
      created: job.created,
      updated: job.updated,
      failed: job.failed,
    });
    return job;
  }

  private fail(job: ImportJob, errors: ImportRowError[]) {
    job.failed += 1;
    for (const error of errors) {
      if (job.errors.length < MAX_REPORTED_ERRORS) job.errors.push(error);
      else job.errorsTruncated = true;
    }
  }

  /**
   * One transaction per batch: lock the existing rows of these external ids, decide per row (new,
   * changed, unchanged, another rooftop's), upsert the new and changed ones in one statement, audit them,
   * and save the job's progress.
   */
  private async writeBatch(job: ImportJob, rows: CustomerRow[], options: ImportOptions): Promise<void> {
    await this.db.transaction(async (m) => {
      // Within a batch the last row of an external id wins; earlier ones are reported.
      const byId = new Map<string, CustomerRow>();
      for (const row of rows) {
        const earlier = byId.get(row.externalId);
        if (earlier)
          this.fail(job, [
            {
              row: earlier.row,
              field: 'external_id',
              message: `external_id appears again on line ${row.row}; that row was used`,
            },
          ]);
        byId.set(row.externalId, row);
      }
      const existing = new Map<string, Existing>();
      if (byId.size) {
        const found: Existing[] = await m.query(
          `SELECT id, external_id, home_rooftop_id, first_name, last_name, email, phone, address, birthday::text AS birthday, language
             FROM customer WHERE external_id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
          [[...byId.keys()]],
        );
        for (const e of found) existing.set(e.external_id, e);
      }
      const erased = new Set<string>(
        byId.size
          ? (
              await m.query(
                `SELECT e.external_id FROM unnest($1::text[]) AS e(external_id)
                  WHERE encode(sha256(convert_to(e.external_id, 'UTF8')), 'hex') IN (SELECT external_id_hash FROM erased_external_id)`,
                [[...byId.keys()]],
              )
            ).map((r: { external_id: string }) => r.external_id)
          : [],
      );

      const now = this.clock.now();
      const writes: { externalId: string; values: Record<(typeof FIELDS)[number], string | null> }[] = [];
      for (const row of byId.values()) {
        const current = existing.get(row.externalId);
        if (!current && erased.has(row.externalId)) {
          this.fail(job, [
            {
              row: row.row,
              field: 'external_id',
              message: 'this customer asked to be erased; the row is not imported again',
            },
          ]);
          continue;
        }
        if (current && current.home_rooftop_id !== job.rooftopId) {
          this.fail(job, [
            {
              row: row.row,
              field: 'external_id',
              message: 'external_id belongs to a customer of another rooftop',
            },
          ]);
          continue;
        }
        const merged = {
          firstName: row.values.firstName ?? current?.first_name ?? null,
          lastName: row.values.lastName ?? current?.last_name ?? '',
          email: 'email' in row.values ? (row.values.email ?? null) : (current?.email ?? null),
          phone: 'phone' in row.values ? (row.values.phone ?? null) : (current?.phone ?? null),
          address: 'address' in row.values ? (row.values.address ?? null) : (current?.address ?? null),
          birthday: 'birthday' in row.values ? (row.values.birthday ?? null) : (current?.birthday ?? null),
          language: row.values.language ?? current?.language ?? this.config.DEFAULT_LANGUAGE,
        };
        if (!merged.firstName) {
          this.fail(job, [
            { row: row.row, field: 'first_name', message: 'first_name is required for a new customer' },
          ]);
          continue;
        }
        if (current && FIELDS.every((f) => merged[f] === currentValue(current, f))) {
          job.unchanged += 1;
          continue;
        }
        writes.push({ externalId: row.externalId, values: merged });
      }

      if (writes.length) {
        const column = (f: (typeof FIELDS)[number]) => writes.map((w) => w.values[f]);
        // One statement per batch. The WHERE keeps a concurrent import of another rooftop from taking over a row.
        const result: { id: string; inserted: boolean }[] = await m.query(
          `INSERT INTO customer (home_rooftop_id, external_id, first_name, last_name, email, phone, address, birthday, language, created_at, updated_at)
           SELECT $1, u.external_id, u.first_name, u.last_name, u.email, u.phone, u.address, u.birthday, u.language, $2, $2
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::date[], $10::text[])
                  AS u(external_id, first_name, last_name, email, phone, address, birthday, language)
           ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE
              SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, email = EXCLUDED.email, phone = EXCLUDED.phone,
                  address = EXCLUDED.address, birthday = EXCLUDED.birthday, language = EXCLUDED.language,
                  version = customer.version + 1, updated_at = EXCLUDED.updated_at
            WHERE customer.home_rooftop_id = EXCLUDED.home_rooftop_id AND customer.erased_at IS NULL
           RETURNING id, (xmax = 0) AS inserted`,
          [
            job.rooftopId,
            now,
            writes.map((w) => w.externalId),
            column('firstName'),
            column('lastName'),
            column('email'),
            column('phone'),
            column('address'),
            column('birthday'),
            column('language'),
          ],
        );
        const created = result.filter((r) => r.inserted);
        const updated = result.filter((r) => !r.inserted);
        job.created += created.length;
        job.updated += updated.length;
        job.unchanged += writes.length - result.length;
        await this.auditRows(
          m,
          options.actor,
          job.rooftopId,
          now,
          created.map((r) => r.id),
          'customer.imported',
        );
        await this.auditRows(
          m,
          options.actor,
          job.rooftopId,
          now,
          updated.map((r) => r.id),
          'customer.updated',
        );
      }
      job.updatedAt = now;
      await m.update(
        ImportJob,
        { id: job.id },
        {
          rowsProcessed: job.rowsProcessed,
          created: job.created,
          updated: job.updated,
          unchanged: job.unchanged,
          failed: job.failed,
          errors: job.errors,
          errorsTruncated: job.errorsTruncated,
          updatedAt: now,
        },
      );
    });
    options.onProgress?.(job);
  }

  /** One audit entry per customer, field names only (AuditService.recordMany: one statement). */
  private async auditRows(
    m: EntityManager,
    actor: AuthUser | null,
    rooftopId: string,
    at: Date,
    ids: string[],
    action: string,
  ) {
    await this.audit.recordMany(m, actor, {
      action,
      entityType: 'customer',
      entityIds: ids,
      rooftopId,
      fields: [...FIELDS, 'externalId'],
      reason: 'csv_import',
      at,
    });
  }

  private async finish(
    job: ImportJob,
    status: 'completed' | 'failed',
    failure: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    Object.assign(job, { status, failure, finishedAt: now, updatedAt: now });
    await this.db.getRepository(ImportJob).update(
      { id: job.id },
      {
        status,
        failure,
        finishedAt: now,
        updatedAt: now,
        rowsProcessed: job.rowsProcessed,
        failed: job.failed,
        errors: job.errors,
        errorsTruncated: job.errorsTruncated,
      },
    );
  }

  async getJob(id: string, actor: AuthUser): Promise<ImportJob> {
    const job = await this.db.getRepository(ImportJob).findOneBy({ id });
    if (!job || !actor.canSeeRooftop(job.rooftopId)) throw new NotFoundError('Import job');
    return job;
  }

  /** The imports (without their error lists), newest first, a page at a time. */
  async listJobs(actor: AuthUser, query: ListImportsQueryDto): Promise<Page<ImportJob>> {
    const { rooftopId } = query;
    const limit = limitOf(query);
    const cursor = IMPORT_KEYS.decode(query.cursor);
    if (rooftopId) await actor.assertUsableRooftop(this.db, rooftopId, 'rooftopId');
    const qb = this.db.getRepository(ImportJob).createQueryBuilder('j');
    const scope = actor.rooftopScope();
    if (scope) qb.andWhere('j.rooftop_id = ANY(:scope::uuid[])', { scope });
    if (rooftopId) qb.andWhere('j.rooftop_id = :rooftopId', { rooftopId });
    const page = IMPORT_KEYS.pageOf(await IMPORT_KEYS.applyTo(qb, cursor, limit).getRawAndEntities(), limit);
    return { items: page.items.map((j) => ({ ...j, errors: [] })), nextCursor: page.nextCursor };
  }
}

function currentValue(current: Existing, field: (typeof FIELDS)[number]): string | null {
  const columns = { firstName: current.first_name, lastName: current.last_name } as const;
  return field === 'firstName' || field === 'lastName' ? columns[field] : current[field];
}
