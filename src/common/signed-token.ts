import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for the public customer links (survey, unsubscribe): `<payload>.<hmac>`, base64url.
 * The payload names what the link is for, so a token cannot be reused for another customer or purpose.
 */
export function signToken(secret: string, kind: string, payload: Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify({ k: kind, ...payload })).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

export function verifyToken<T extends Record<string, unknown>>(
  secret: string,
  kind: string,
  token: string,
): T | null {
  if (typeof token !== 'string' || token.length > 2048) return null;
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (decoded?.k !== kind) return null;
    return decoded as T;
  } catch {
    return null;
  }
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
