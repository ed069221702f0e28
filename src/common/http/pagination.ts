import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError } from '../problem/domain-error';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s `nextCursor`' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The PostgreSQL type of one part of a list's sort key. */
export type SortKeyType = 'timestamptz' | 'uuid' | 'int' | 'bigint' | 'text';

export interface SortKeyPart {
  /** The expression the list is ordered by: a column, or an expression of the row (never NULL). */
  sql: string;
  type: SortKeyType;
}

const CURSOR_MISMATCH = 'cursor is not a cursor returned by this list';
const ISO_MICROS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 400;

/** A calendar-valid UTC instant with microseconds, as `textOf` writes it (PostgreSQL would refuse 2026-02-30). */
function isIsoMicros(value: string): boolean {
  const m = ISO_MICROS.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return (
    year >= 1 &&
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second
  );
}

const INT_RANGE: Record<'int' | 'bigint', [bigint, bigint]> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Whether PostgreSQL will accept `value` as a parameter of this type (a refusal there would be a 500). */
function fits(type: SortKeyType, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  switch (type) {
    case 'timestamptz':
      return isIsoMicros(value);
    case 'uuid':
      return UUID.test(value);
    case 'int':
    case 'bigint': {
      if (!/^-?\d{1,19}$/.test(value)) return false;
      const [min, max] = INT_RANGE[type];
      return BigInt(value) >= min && BigInt(value) <= max;
    }
    case 'text':
      return value.length <= MAX_TEXT && !value.includes('\u0000');
  }
}

/**
 * How a keyset-paged list is ordered, and its cursors. The sort key is a few expressions, the last one unique,
 * all in one direction, so that one row comparison `(a, b) < ($1, $2)` selects the rows after the cursor and an
 * index in the same order serves it.
 *
 * The cursor is exact: each part is PostgreSQL's own text of the value, computed in SQL (`select`) and compared
 * in SQL with a cast back to its type. A timestamp goes as UTC with its microseconds, never through a JS Date:
 * a Date keeps milliseconds, and rows written in one statement share one microsecond timestamp, so a rounded
 * cursor skips or repeats them. To clients the cursor is opaque (base64url); a cursor this list could not have
 * issued is refused with 400 naming `cursor`, never passed to PostgreSQL to fail there.
 */
export class Keyset {
  private readonly parts: readonly SortKeyPart[];

  constructor(
    parts: SortKeyPart[],
    readonly direction: 'ASC' | 'DESC',
  ) {
    if (parts.length === 0) throw new Error('A keyset needs at least one sort key part');
    this.parts = parts;
  }

  /** Select-list items giving each part's exact text: `[expression, alias]`, aliases `cursor_k0`, `cursor_k1`, … */
  get selections(): [string, string][] {
    return this.parts.map((part, i) => [textOf(part), `cursor_k${i}`]);
  }

  /** The select-list items as SQL, for hand-written statements. */
  get select(): string {
    return this.selections.map(([sql, alias]) => `${sql} AS ${alias}`).join(', ');
  }

  /** The ORDER BY list. */
  get orderBy(): string {
    return this.parts.map((part) => `${part.sql} ${this.direction}`).join(', ');
  }

  /** The validated key of a cursor, or undefined without one (the first page). */
  decode(cursor: string | undefined): string[] | undefined {
    if (cursor === undefined) return undefined;
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      key = undefined;
    }
    if (
      !Array.isArray(key) ||
      key.length !== this.parts.length ||
      !this.parts.every((part, i) => fits(part.type, key[i]))
    ) {
      throw new ValidationFailedError([{ field: 'cursor', message: CURSOR_MISMATCH }]);
    }
    return key as string[];
  }

  /** The predicate for the rows after `key`; `bind` adds a parameter and returns its placeholder. */
  after(key: string[], bind: (value: string) => string): string {
    const columns = this.parts.map((part) => part.sql).join(', ');
    const values = this.parts.map((part, i) => `${bind(key[i])}::${part.type}`).join(', ');
    return `(${columns}) ${this.direction === 'ASC' ? '>' : '<'} (${values})`;
  }

  /**
   * Orders a TypeORM query by the key, selects the key's text (`pageOf` reads it), keeps the rows after the
   * cursor and asks for `limit + 1` rows. For queries without joins.
   */
  applyTo<Q extends SelectQueryBuilder<ObjectLiteral>>(
    qb: Q,
    cursor: string[] | undefined,
    limit: number,
  ): Q {
    for (const [sql, alias] of this.selections) qb.addSelect(sql, alias);
    this.parts.forEach((part, i) =>
      i === 0 ? qb.orderBy(part.sql, this.direction) : qb.addOrderBy(part.sql, this.direction),
    );
    if (cursor) {
      const params: Record<string, string> = {};
      const predicate = this.after(cursor, (value) => {
        const name = `cursor_p${Object.keys(params).length}`;
        params[name] = value;
        return `:${name}`;
      });
      qb.andWhere(predicate, params);
    }
    qb.limit(limit + 1);
    return qb;
  }

  /**
   * Given `limit + 1` rows that carry the `select` columns, the page (those columns removed) and the cursor of
   * the next one.
   */
  page<T extends object>(rows: T[], limit: number): Page<Omit<T, `cursor_k${number}`>> {
    const items = rows.slice(0, limit).map((row) => {
      const copy = { ...row } as Record<string, unknown>;
      for (const [, alias] of this.selections) delete copy[alias];
      return copy as unknown as Omit<T, `cursor_k${number}`>;
    });
    const last = rows.length > limit ? (rows[limit - 1] as unknown as Record<string, unknown>) : undefined;
    return { items, nextCursor: last ? this.encode(last) : null };
  }

  /** The same for TypeORM's `getRawAndEntities()` of a query without joins (one raw row per entity, in order). */
  pageOf<T>(result: { entities: T[]; raw: Record<string, unknown>[] }, limit: number): Page<T> {
    const { entities, raw } = result;
    if (raw.length !== entities.length) throw new Error('Keyset.pageOf needs one raw row per entity');
    const items = entities.slice(0, limit);
    return { items, nextCursor: entities.length > limit ? this.encode(raw[limit - 1]) : null };
  }

  private encode(row: Record<string, unknown>): string {
    const key = this.selections.map(([, alias]) => row[alias]);
    this.parts.forEach((part, i) => {
      // A programming error, not a client's: the row lacks the `select` columns or they were not computed in SQL.
      if (!fits(part.type, key[i])) throw new Error(`Sort key part ${i} (${part.sql}) is not exact text`);
    });
    return Buffer.from(JSON.stringify(key)).toString('base64url');
  }
}

/** The exact text of a sort key part: timestamps in UTC with microseconds, whatever the session's settings. */
function textOf(part: SortKeyPart): string {
  return part.type === 'timestamptz'
    ? `to_char((${part.sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : `(${part.sql})::text`;
}

export function limitOf(query: PageQueryDto): number {
  return query.limit ?? DEFAULT_LIMIT;
}
