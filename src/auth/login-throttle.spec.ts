import { addressBucket } from './login-throttle';

describe('addressBucket', () => {
  it('keeps IPv4 addresses, also IPv4-mapped ones', () => {
    expect(addressBucket('192.0.2.7')).toBe('192.0.2.7');
    expect(addressBucket('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressBucket('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  });

  it('puts every IPv6 address of one /64 in one bucket, whatever its spelling', () => {
    const bucket = addressBucket('2001:db8:1:2::1');
    expect(bucket).toBe('2001:db8:1:2::/64');
    for (const same of [
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002:0:0:0:9',
      '2001:db8:1:2::5%eth0',
      '2001:db8:1:2::192.0.2.1',
    ]) {
      expect(addressBucket(same)).toBe(bucket);
    }
    expect(addressBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1')).toBe('fe80:0:0:0::/64');
    expect(addressBucket('1::')).toBe('1:0:0:0::/64');
  });

  it('keeps anything else as given (bounded), and names a missing address', () => {
    expect(addressBucket(undefined)).toBe('unknown');
    expect(addressBucket('not-an-address')).toBe('not-an-address');
    expect(addressBucket('x'.repeat(500))).toHaveLength(100);
  });
});
