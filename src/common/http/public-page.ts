import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../problem/domain-error';
import { createValidationPipe } from '../problem/validation.pipe';

/**
 * The plumbing of the public pages behind a signed link (the booking page, the survey): the same route answers
 * a browser with HTML and an API client with JSON, takes the page's own form post or a JSON body, and shows a
 * browser an error page where an API client gets problem+json.
 */

/** The content type of the pages' own form posts. */
export const FORM = 'application/x-www-form-urlencoded';

const HTML = 'text/html; charset=utf-8';

/** Browsers (Accept: text/html, or the page's own form post) get pages; API clients get JSON. */
export function wantsHtml(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '');
  const contentType = String(req.headers['content-type'] ?? '');
  return (
    contentType.startsWith(FORM) || (accept.includes('text/html') && !accept.startsWith('application/json'))
  );
}

/** Marks the answer as an HTML page (with `status`, when given). */
export function asHtml(reply: FastifyReply, status?: number): void {
  if (status !== undefined) void reply.status(status);
  void reply.type(HTML);
}

const validation = createValidationPipe();

/**
 * The page posts a form, which the shared form parser hands over as raw text; JSON clients send an object.
 * Both go through the same DTO validation as every other body (the route's parameter is untyped so that the
 * global pipe leaves the raw text alone). A form field named in `lists` is kept as an array of all its values.
 */
export async function pageBody<T>(body: unknown, metatype: new () => T, lists: string[] = []): Promise<T> {
  let plain: unknown = body ?? {};
  if (typeof body === 'string') {
    const form = new URLSearchParams(body);
    const fields: Record<string, unknown> = Object.fromEntries(form);
    for (const name of lists) if (form.has(name)) fields[name] = form.getAll(name);
    plain = fields;
  }
  return validation.transform(plain, { type: 'body', metatype }) as Promise<T>;
}

/** An error page for a browser: its status and HTML. */
export interface ErrorPage {
  status: number;
  html: string;
}

/**
 * Runs `fn`; when it fails with a DomainError and the client is a browser, answers the page `errorPage` makes of
 * it instead (undefined: the error goes on to the problem filter as for an API client).
 */
export async function asPage<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  fn: () => Promise<T>,
  errorPage: (e: DomainError) => Promise<ErrorPage | undefined>,
): Promise<T | string> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof DomainError) || !wantsHtml(req)) throw e;
    const page = await errorPage(e);
    if (!page) throw e;
    asHtml(reply, page.status);
    return page.html;
  }
}
