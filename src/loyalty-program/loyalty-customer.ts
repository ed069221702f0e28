import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { NotFoundError } from '../common/problem/domain-error';

/** The customer, if the actor may see it (another rooftop's customer answers 404); null actor: the system. */
export async function findLoyaltyCustomer(
  manager: EntityManager,
  customerId: string,
  actor: AuthUser | null,
): Promise<{ id: string; homeRooftopId: string }> {
  const [row] = await manager.query(
    `SELECT id, home_rooftop_id AS "homeRooftopId" FROM customer WHERE id = $1`,
    [customerId],
  );
  if (!row) throw new NotFoundError('Customer');
  actor?.assertRooftop(row.homeRooftopId, 'Customer');
  return row;
}
