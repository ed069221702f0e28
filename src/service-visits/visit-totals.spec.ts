import { payTotals } from './visit-totals';

describe('visit pay totals', () => {
  it('adds labour and parts per pay type without floating-point drift', () => {
    expect(
      payTotals([
        { labourAmount: 0.1, partsAmount: 0.2, payType: 'customer' },
        { labourAmount: 10, partsAmount: 5.55, payType: 'customer' },
        { labourAmount: 80, partsAmount: 120.45, payType: 'warranty' },
      ]),
    ).toEqual({ customer: '15.85', warranty: '200.45', internal: '0.00' });
  });

  it('is zero for a visit with no performed lines', () => {
    expect(payTotals([])).toEqual({ customer: '0.00', warranty: '0.00', internal: '0.00' });
  });

  it('reads numeric strings as stored by PostgreSQL', () => {
    expect(
      payTotals([{ labourAmount: '9999999999.99', partsAmount: '0.00', payType: 'internal' }]).internal,
    ).toBe('9999999999.99');
  });
});
