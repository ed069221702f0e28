import { canonicalColumn, neutraliseFormula, parseCustomerRow, restoreFormula } from './customer-csv';

const today = new Date('2026-06-15T03:00:00Z');

describe('customer CSV rows', () => {
  it('reads common DMS header names case-insensitively and ignores unknown columns', () => {
    expect(canonicalColumn('Cust_No')).toBe('external_id');
    expect(canonicalColumn('Customer ID')).toBe('external_id');
    expect(canonicalColumn(' First Name ')).toBe('first_name');
    expect(canonicalColumn('E-Mail')).toBe('email');
    expect(canonicalColumn('Date of Birth')).toBe('birthday');
    expect(canonicalColumn('Dealer Code')).toBeUndefined();
  });

  it('normalises a good row and leaves out columns the file does not have', () => {
    expect(
      parseCustomerRow(
        { external_id: 'D-1', first_name: 'Dara', email: 'DARA@Example.com', phone: '012 345 678' },
        2,
        today,
      ),
    ).toEqual({
      row: 2,
      externalId: 'D-1',
      values: { firstName: 'Dara', email: 'dara@example.com', phone: '+85512345678' },
    });
  });

  it('turns empty cells of present columns into cleared values', () => {
    const row = parseCustomerRow(
      { external_id: 'D-2', first_name: 'A', email: '', birthday: '', language: '' },
      3,
      today,
    );
    expect(row).toEqual({
      row: 3,
      externalId: 'D-2',
      values: { firstName: 'A', email: null, birthday: null, language: null },
    });
  });

  it('names the CSV column of every bad field, with the row', () => {
    const errors = parseCustomerRow(
      { external_id: '', first_name: '', email: 'x', phone: '1', birthday: '2027-01-01', language: 'fr' },
      7,
      today,
    );
    expect(Array.isArray(errors) && errors.map((e) => [e.row, e.field])).toEqual([
      [7, 'external_id'],
      [7, 'first_name'],
      [7, 'email'],
      [7, 'phone'],
      [7, 'language'],
      [7, 'birthday'],
    ]);
  });

  it('neutralises cells a spreadsheet would run as a formula, and the import restores them', () => {
    const attacks = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(1,2)', '\t=1+1', '\r=1+1', '-', '+'];
    for (const cell of attacks) {
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
      expect(restoreFormula(neutraliseFormula(cell))).toBe(cell);
    }
    for (const cell of ['+85512345678', '-12', '1.5', 'Dara', "O'Neil", "'quoted", 'a=b', '']) {
      expect(neutraliseFormula(cell)).toBe(cell);
      expect(restoreFormula(cell)).toBe(cell);
    }
    expect(
      parseCustomerRow({ external_id: 'D-9', first_name: "'=1+1", last_name: "'@Sok" }, 2, today),
    ).toMatchObject({ values: { firstName: '=1+1', lastName: '@Sok' } });
  });
});
