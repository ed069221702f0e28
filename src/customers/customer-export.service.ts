import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { NotFoundError } from '../common/problem/domain-error';
import { CSV_COLUMNS, neutraliseFormula } from './customer-csv';

const EXPORT_COLUMNS = ['id', ...CSV_COLUMNS];
const PAGE = 1000;

type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | null> & { cursor_ts: string };

/**
 * CSV export in the import's columns (plus `id`), streamed page by page in (created_at, id) order so a
 * million customers never sit in memory. Erased customers are left out: there is nothing personal to export.
 * UTF-8 with a BOM (without it Excel reads the file in the local code page and garbles Khmer and Lao);
 * cells that a spreadsheet would run as a formula are neutralised (see neutraliseFormula).
 */
@Injectable()
export class CustomerExportService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async export(actor: AuthUser, rooftopId?: string): Promise<Readable> {
    if (rooftopId) {
      actor.assertRooftop(rooftopId, 'Rooftop');
      if (!(await this.db.query(`SELECT 1 FROM rooftop WHERE id = $1`, [rooftopId])).length)
        throw new NotFoundError('Rooftop');
    }
    const rooftops = rooftopId ? [rooftopId] : actor.rooftopScope();
    await this.db.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'customer.exported',
        entityType: 'customer',
        rooftopId: rooftopId ?? null,
        fields: EXPORT_COLUMNS,
        reason: 'csv_export',
      }),
    );
    const rows = this.rows(rooftops);
    return Readable.from(rows).pipe(
      stringify({
        bom: true,
        header: true,
        columns: EXPORT_COLUMNS,
        cast: { string: neutraliseFormula },
      }),
    );
  }

  private async *rows(rooftops: string[] | null): AsyncGenerator<ExportRow> {
    let after: [string, string] | null = null;
    for (;;) {
      const page: ExportRow[] = await this.db.query(
        `SELECT id, external_id, first_name, last_name, email, phone, address, birthday::text AS birthday, language, created_at::text AS cursor_ts
           FROM customer
          WHERE erased_at IS NULL AND ($1::uuid[] IS NULL OR home_rooftop_id = ANY($1::uuid[]))
            AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
          ORDER BY created_at, id LIMIT ${PAGE}`,
        [rooftops, after?.[0] ?? null, after?.[1] ?? null],
      );
      for (const row of page) yield row;
      if (page.length < PAGE) return;
      const last = page[page.length - 1];
      after = [last.cursor_ts, last.id as string];
    }
  }
}
