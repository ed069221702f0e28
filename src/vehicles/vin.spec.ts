import { checkVin, vinCheckDigit } from './vin';

describe('VIN rules', () => {
  it('accepts a North-American VIN whose check digit is X', () => {
    expect(vinCheckDigit('1M8GDM9AXKP042788')).toBe('X');
    expect(checkVin('1M8GDM9AXKP042788')).toEqual({ vin: '1M8GDM9AXKP042788', errors: [], warnings: [] });
  });

  it('upper-cases and trims the VIN', () => {
    expect(checkVin(' 1m8gdm9axkp042788 ')).toMatchObject({ vin: '1M8GDM9AXKP042788', errors: [] });
  });

  it.each(['1M8GDM9AXKP04278I', '1M8GDM9AXKP04278O', '1M8GDM9AXKP04278Q'])(
    'rejects the letters I, O and Q (%s)',
    (vin) => {
      expect(checkVin(vin).errors).toContain('VIN must not contain the letters I, O or Q');
    },
  );

  it.each(['1M8GDM9AXKP04278', '1M8GDM9AXKP0427888', ''])(
    'rejects a VIN that is not 17 characters (%j)',
    (vin) => {
      expect(checkVin(vin).errors[0]).toMatch(/17 characters/);
    },
  );

  it('rejects punctuation', () => {
    expect(checkVin('1M8GDM9AXKP04278-').errors).toContain('VIN may contain only letters and digits');
  });

  it('rejects a wrong check digit on a North-American VIN (first character 1-5)', () => {
    const result = checkVin('1M8GDM9A1KP042788');
    expect(result.errors).toEqual([expect.stringMatching(/check digit .*'1'.*'X'/)]);
    expect(result.warnings).toEqual([]);
  });

  it('accepts a European VIN with a non-matching position 9 and returns a warning', () => {
    const result = checkVin('WVWZZZ1JZXW000001');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/not enforced/)]);
  });

  it('gives no warning to a non-North-American VIN whose position 9 happens to match', () => {
    const base = 'JHMCM56557C404453';
    const fixed = base.slice(0, 8) + vinCheckDigit(base) + base.slice(9);
    expect(checkVin(fixed)).toMatchObject({ errors: [], warnings: [] });
  });
});
