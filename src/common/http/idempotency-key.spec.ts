import { canonicalJson, requestHash } from './idempotency-key';

describe('idempotency request hash', () => {
  it('hashes the same body with keys in another order the same', () => {
    expect(requestHash({ a: 1, b: [{ y: 2, x: 1 }] })).toBe(requestHash({ b: [{ x: 1, y: 2 }], a: 1 }));
  });

  it('hashes a different body differently', () => {
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });

  it('ignores undefined fields', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});
