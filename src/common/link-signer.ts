import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { resolveJwtSecret } from './jwt-secret';
import { AppConfig } from '../config/app-config';
import { signToken, verifyToken } from './signed-token';

/** Signs and checks the tokens in public customer links (survey, unsubscribe) and builds their URLs. */
@Injectable()
export class LinkSigner {
  private readonly secret: string;

  constructor(private readonly config: AppConfig) {
    // A key of its own, derived from the app secret, so link tokens can never pass as access tokens.
    this.secret = createHmac('sha256', resolveJwtSecret(config))
      .update('public-links/v1')
      .digest('base64url');
  }

  sign(kind: string, payload: Record<string, unknown>): string {
    return signToken(this.secret, kind, payload);
  }

  verify<T extends Record<string, unknown>>(kind: string, token: string): T | null {
    return verifyToken<T>(this.secret, kind, token);
  }

  /** Absolute URL under PUBLIC_BASE_URL, e.g. url('/api/v1/unsubscribe/abc'). */
  url(pathname: string): string {
    return `${this.config.publicBaseUrl}${pathname}`;
  }
}
