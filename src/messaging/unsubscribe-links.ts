import { Injectable } from '@nestjs/common';
import { LinkSigner } from '../common/link-signer';
import { isPurpose, type Purpose } from '../customers/consent-rules';
import type { MessagePurpose } from './outbox.service';

export const UNSUBSCRIBE_KIND = 'unsubscribe';
/** SPEC: the link works without login for at least a year; we honour it for two. */
export const UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS = 730;

/** What an unsubscribe link withdraws: one purpose, or every optional purpose (links in transactional mail). */
export type UnsubscribeScope = Purpose | 'all';

export interface UnsubscribeClaim {
  customerId: string;
  scope: UnsubscribeScope;
  issuedAt: Date;
}

/** Signs and checks the tokens of RFC 8058 one-click unsubscribe links. */
@Injectable()
export class UnsubscribeLinks {
  constructor(private readonly signer: LinkSigner) {}

  static scopeFor(purpose: MessagePurpose): UnsubscribeScope {
    return purpose === 'transactional' ? 'all' : purpose;
  }

  token(customerId: string, purpose: MessagePurpose, issuedAt: Date): string {
    return this.signer.sign(UNSUBSCRIBE_KIND, {
      c: customerId,
      p: UnsubscribeLinks.scopeFor(purpose),
      iat: Math.floor(issuedAt.getTime() / 1000),
    });
  }

  url(token: string): string {
    return this.signer.url(`/api/v1/unsubscribe/${token}`);
  }

  /** Null for a forged, altered, foreign-kind or too old token. */
  verify(token: string, now: Date): UnsubscribeClaim | null {
    const claim = this.signer.verify<{ c?: unknown; p?: unknown; iat?: unknown }>(UNSUBSCRIBE_KIND, token);
    if (!claim) return null;
    const { c, p, iat } = claim;
    if (typeof c !== 'string' || !/^[0-9a-f-]{36}$/i.test(c)) return null;
    if (!(p === 'all' || isPurpose(p))) return null;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return null;
    const ageDays = (now.getTime() / 1000 - iat) / 86_400;
    if (ageDays > UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS) return null;
    return { customerId: c, scope: p, issuedAt: new Date(iat * 1000) };
  }
}
