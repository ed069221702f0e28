import { EntityManager } from 'typeorm';

/**
 * The rooftop's managers (active, granted the rooftop), oldest account first; when a rooftop has none,
 * the active admins, so that complaint owners and cadence tasks always land with someone accountable.
 */
export async function managersOf(m: EntityManager, rooftopId: string): Promise<string[]> {
  const rows: { id: string }[] = await m.query(
    `SELECT u.id FROM app_user u JOIN user_rooftop ur ON ur.user_id = u.id
      WHERE ur.rooftop_id = $1 AND u.role = 'manager' AND u.active
      ORDER BY u.created_at, u.id`,
    [rooftopId],
  );
  if (rows.length > 0) return rows.map((r) => r.id);
  const admins: { id: string }[] = await m.query(
    `SELECT id FROM app_user WHERE role = 'admin' AND active ORDER BY created_at, id`,
  );
  return admins.map((r) => r.id);
}
