import type { FastifyInstance } from 'fastify';

const MAX_FORM_BYTES = 16 * 1024;

/**
 * Mail clients post the RFC 8058 one-click body as application/x-www-form-urlencoded (Nest's Fastify
 * adapter parses that itself, into an object, during app.init — registering it here would collide) or as
 * multipart/form-data, which Fastify does not parse: keep that raw text (small) for the handler, which
 * only needs to recognise `List-Unsubscribe=One-Click`.
 */
export function registerFormBodyParsers(fastify: FastifyInstance): void {
  const type = 'multipart/form-data';
  if (fastify.hasContentTypeParser(type)) return;
  fastify.addContentTypeParser(type, { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_req, body, done) =>
    done(null, body),
  );
}
