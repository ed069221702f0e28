import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../problem/domain-error';
import type { RouteInfo } from './route-table';

/** Deeper than any body this API documents (the deepest DTO is 3 levels), far below what costs CPU. */
export const MAX_JSON_DEPTH = 32;

export const JSON_TYPE = 'application/json';
export const CSV_TYPES = ['text/csv', 'application/csv'];

/** A client error raised while reading a body (before any handler runs). */
export class BodyError extends DomainError {
  /** Fastify answers with this status if the error reaches it before the problem filter. */
  readonly statusCode: number;
  constructor(status: number, code: string, message: string) {
    super(status, code, message);
    this.statusCode = status;
  }
}

/** `TEXT/CSV; charset=utf-8` → `text/csv` (RFC 9110 media types are case-insensitive). */
export function mediaTypeOf(header: string | undefined): string | null {
  if (!header) return null;
  const essence = header.split(';', 1)[0].trim().toLowerCase();
  return essence || null;
}

/**
 * Depth of the deepest array/object in a JSON text, without parsing it: a linear scan that skips
 * strings. Stops as soon as the limit is passed, so a body of 100,000 brackets costs microseconds.
 */
export function exceedsJsonDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Each route reads only the body types it was made for: its `@ApiConsumes` list, JSON when it has
 * none. Anything else is refused with 415 before a parser runs — a CSV stream handed to a JSON route
 * once reached the validation pipe and aborted the process.
 */
export function registerBodyParsing(app: NestFastifyApplication, routes: RouteInfo[]): void {
  const fastify = app.getHttpAdapter().getInstance();
  const accepted = new Map<string, Set<string>>();
  for (const r of routes) {
    const fastifyPath = r.path.replace(/\{(\w+)\}/g, ':$1');
    accepted.set(`${r.method} ${fastifyPath}`, new Set(r.consumes.map((t) => t.toLowerCase())));
  }
  const acceptedBy = (request: FastifyRequest) =>
    accepted.get(`${request.method} ${request.routeOptions.url ?? ''}`) ?? new Set([JSON_TYPE]);

  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!hasBody(request)) return payload;
    const type = mediaTypeOf(request.headers['content-type']);
    const allowed = acceptedBy(request);
    if (type === null || !allowed.has(type)) {
      throw new BodyError(
        415,
        'unsupported_media_type',
        `Send this request's body as ${[...allowed].join(' or ')}` + (type ? ` (not ${type})` : ''),
      );
    }
    return payload;
  });

  // JSON: refused past MAX_JSON_DEPTH before JSON.parse runs; __proto__/constructor keys are refused.
  // Registered through Nest so that its own default JSON parser is not added at init.
  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser(JSON_TYPE, { bodyLimit: fastify.initialConfig.bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    if (exceedsJsonDepth(text, MAX_JSON_DEPTH)) {
      done(
        new BodyError(400, 'too_deep', `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
      return;
    }
    void defaultJson(request as Parameters<typeof defaultJson>[0], text, done);
  });

  // CSV uploads are streamed straight to the importer, never buffered whole (only routes that consume CSV
  // get here, see the hook above).
  fastify.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
}
