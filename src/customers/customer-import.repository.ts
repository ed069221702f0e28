import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ExistingCustomer, ImportField, ImportWrite } from './customer-import-plan';

/** The import's set-based statements over customer, one round trip each per batch of external ids. */
@Injectable()
export class CustomerImportRepository {
  /** The stored customers of these external ids, locked for the batch (customer_external_id_uq). */
  async lockExisting(m: EntityManager, externalIds: string[]): Promise<Map<string, ExistingCustomer>> {
    const existing = new Map<string, ExistingCustomer>();
    if (!externalIds.length) return existing;
    const found: ExistingCustomer[] = await m.query(
      `SELECT id, external_id, home_rooftop_id, first_name, last_name, email, phone, address, birthday::text AS birthday, language
         FROM customer WHERE external_id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
      [externalIds],
    );
    for (const e of found) existing.set(e.external_id, e);
    return existing;
  }

  /** Those of these external ids whose customer was erased (kept only as a hash, erased_external_id's key). */
  async erasedAmong(m: EntityManager, externalIds: string[]): Promise<Set<string>> {
    if (!externalIds.length) return new Set();
    const rows: { external_id: string }[] = await m.query(
      `SELECT e.external_id FROM unnest($1::text[]) AS e(external_id)
        WHERE encode(sha256(convert_to(e.external_id, 'UTF8')), 'hex') IN (SELECT external_id_hash FROM erased_external_id)`,
      [externalIds],
    );
    return new Set(rows.map((r) => r.external_id));
  }

  /**
   * Inserts the new and updates the changed customers of a batch in one statement; `inserted` tells which.
   * The WHERE keeps a concurrent import of another rooftop from taking over a row, and an erased row
   * from coming back: such rows are not returned.
   */
  async upsert(
    m: EntityManager,
    rooftopId: string,
    now: Date,
    writes: ImportWrite[],
  ): Promise<{ id: string; inserted: boolean }[]> {
    const column = (f: ImportField) => writes.map((w) => w.values[f]);
    return m.query(
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
        rooftopId,
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
  }
}
