import type { CustomerRow } from './customer-csv';
import { lastRowPerExternalId, planBatch, type ExistingCustomer } from './customer-import-plan';

const stored: ExistingCustomer = {
  id: 'c1',
  external_id: 'DMS-1',
  home_rooftop_id: 'roof-a',
  first_name: 'Dara',
  last_name: 'Sok',
  email: 'dara@example.com',
  phone: null,
  address: null,
  birthday: null,
  language: 'km',
};
const row = (externalId: string, values: CustomerRow['values'], line = 2): CustomerRow => ({
  row: line,
  externalId,
  values,
});
const context = (over: Partial<Parameters<typeof planBatch>[1]> = {}) => ({
  existing: new Map([[stored.external_id, stored]]),
  erased: new Set<string>(),
  rooftopId: 'roof-a',
  defaultLanguage: 'en',
  ...over,
});

describe('customer import plan', () => {
  it('keeps the stored values for columns the file leaves out and counts a row that changes nothing', () => {
    const plan = planBatch([row('DMS-1', { firstName: 'Dara' })], context());
    expect(plan).toEqual({ writes: [], unchanged: 1, refused: [] });
  });

  it('writes a changed customer with the stored values filled in, and a new one with the default language', () => {
    const plan = planBatch(
      [row('DMS-1', { email: null }), row('DMS-2', { firstName: 'Malis' }, 3)],
      context(),
    );
    expect(plan.writes).toEqual([
      {
        externalId: 'DMS-1',
        values: {
          firstName: 'Dara',
          lastName: 'Sok',
          email: null,
          phone: null,
          address: null,
          birthday: null,
          language: 'km',
        },
      },
      {
        externalId: 'DMS-2',
        values: {
          firstName: 'Malis',
          lastName: '',
          email: null,
          phone: null,
          address: null,
          birthday: null,
          language: 'en',
        },
      },
    ]);
  });

  it("refuses another rooftop's customer, an erased customer's id and a new customer without first_name", () => {
    const plan = planBatch(
      [
        row('DMS-1', { firstName: 'X' }, 2),
        row('GONE', { firstName: 'Y' }, 3),
        row('NEW', { lastName: 'Z' }, 4),
      ],
      context({ rooftopId: 'roof-b', erased: new Set(['GONE']) }),
    );
    expect(plan.writes).toEqual([]);
    expect(plan.refused.map(([e]) => [e.row, e.field])).toEqual([
      [2, 'external_id'],
      [3, 'external_id'],
      [4, 'first_name'],
    ]);
  });

  it('uses the last row of an external id within a batch and reports the earlier one', () => {
    const { byId, refused } = lastRowPerExternalId([
      row('A', { firstName: 'One' }, 2),
      row('A', { firstName: 'Two' }, 5),
    ]);
    expect([...byId.values()].map((r) => r.values.firstName)).toEqual(['Two']);
    expect(refused).toEqual([
      [{ row: 2, field: 'external_id', message: 'external_id appears again on line 5; that row was used' }],
    ]);
  });
});
