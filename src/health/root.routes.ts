import type { FastifyInstance } from 'fastify';

/** Where a newcomer goes from the bare address: the manager dashboard, or (for programs) the API. */
export const ROOT_LINKS = {
  name: 'Dealer Retention CRM',
  dashboard: '/dashboard',
  apiDocs: '/api/docs',
  openApi: '/api/docs-json',
  api: '/api/v1',
  health: '/api/v1/health',
} as const;

/**
 * GET / (outside /api/v1): a browser (Accept: text/html) is sent on to the dashboard; any other client gets
 * the links above as JSON. Public, and carries no data.
 */
export function registerRootRoute(fastify: FastifyInstance): void {
  fastify.get('/', async (request, reply) => {
    void reply.header('vary', 'Accept').header('cache-control', 'no-cache');
    if (/\btext\/html\b/i.test(request.headers.accept ?? ''))
      return reply.redirect(ROOT_LINKS.dashboard, 302);
    return ROOT_LINKS;
  });
}
