import { AuthUser, notFoundIn } from './auth-user';

/** Runs SQL: a DataSource or an EntityManager. */
type Sql = { query(sql: string, parameters?: unknown[]): Promise<unknown[]> };

/** What an id in a list's query string names, and where its rooftop is read. */
export type FilterKind = 'customer' | 'vehicle' | 'user';

const RECORDS: Record<Exclude<FilterKind, 'user'>, { what: string; sql: string }> = {
  customer: { what: 'Customer', sql: `SELECT home_rooftop_id AS "rooftopId" FROM customer WHERE id = $1` },
  vehicle: { what: 'Vehicle', sql: `SELECT rooftop_id AS "rooftopId" FROM vehicle WHERE id = $1` },
};

/**
 * An id in a list's query string (`?customerId=`, `?vehicleId=`, `?salespersonId=`…) follows the rule of path ids
 * (docs/security.md "Rooftop scoping"): 404 naming the parameter unless it names a record the caller can see —
 * a customer or vehicle of a granted rooftop, a user who shares a rooftop with the caller (admins see, and are
 * seen by, everyone). An empty 200 would tell nothing, and a list filtered by another rooftop's id is never asked
 * for on purpose. `?rooftopId=` has its own check (AuthUser.assertUsableRooftop). Undefined filters are skipped.
 */
export async function assertFiltersVisible(
  sql: Sql,
  actor: AuthUser,
  filters: { field: string; kind: FilterKind; id: string | undefined }[],
): Promise<void> {
  for (const { field, kind, id } of filters) {
    if (id === undefined || id === actor.id) continue;
    if (kind === 'user') {
      const user = await AuthUser.namedUser(sql, id);
      const seen =
        !!user &&
        (actor.isAdmin || user.role === 'admin' || user.rooftopIds.some((r) => actor.rooftopIds.includes(r)));
      if (!seen) throw notFoundIn(field, 'User');
      continue;
    }
    const [row] = (await sql.query(RECORDS[kind].sql, [id])) as { rooftopId: string }[];
    if (!row || !actor.canSeeRooftop(row.rooftopId)) throw notFoundIn(field, RECORDS[kind].what);
  }
}
