import { HttpStatus } from '@nestjs/common';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { DomainError } from '../common/problem/domain-error';

export const PASSWORD_MIN_LENGTH = 12;
/** The login form accepts up to 200 characters; a longer password could be set but never used. */
export const PASSWORD_MAX_LENGTH = 200;
/** zxcvbn score 3: "safely unguessable" (≥ 10^8 guesses), enough behind argon2id and the login limit. */
const MIN_SCORE = 3;

export class WeakPasswordError extends DomainError {
  constructor(message: string) {
    super(HttpStatus.BAD_REQUEST, 'weak_password', message, [{ field: 'password', message }]);
  }
}

let estimator: Promise<ZxcvbnFactory> | undefined;

/**
 * The dictionaries are several MB: loaded on the first password set (not at start, and never by a
 * process that sets none), then kept. Only the first 64 characters are analysed and l33t substitutions
 * are capped: beyond that zxcvbn's matching grows to hundreds of ms on crafted input (a 200-character
 * `p@$$w0rd…` took 600 ms), while a 64-character password is strong by length anyway.
 */
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
      maxLength: 64,
      l33tMaxSubstitutions: 8,
    });
  })();
  estimator.catch(() => (estimator = undefined));
  return estimator;
}

/** The account's own email and name, and their parts, so that `sokdara2026` is weak for Sok Dara. */
function personalWords(inputs: (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const input of inputs) {
    if (!input) continue;
    const lower = input.toLowerCase();
    words.add(lower);
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
    words.add(lower.split('@')[0].replace(/[^\p{L}\p{N}]+/gu, ''));
  }
  return [...words].filter(Boolean);
}

/**
 * Every way a password is set (users API, ADMIN_PASSWORD, `admin:create`) passes here: at least 12
 * characters and not easy to guess (common passwords, repeats, keyboard runs, dates, the user's own
 * name or email). Throws WeakPasswordError naming `password`, with zxcvbn's feedback as the message.
 */
export async function assertStrongPassword(
  password: string,
  personal: (string | null | undefined)[] = [],
): Promise<void> {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new WeakPasswordError(`The password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw new WeakPasswordError(`The password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  const result = (await loadEstimator()).check(password, personalWords(personal));
  if (result.score >= MIN_SCORE) return;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => !!s);
  if (advice.length === 0) advice.push('Add another word or two; uncommon words are better.');
  throw new WeakPasswordError(`The password is too easy to guess. ${advice.join(' ')}`);
}
