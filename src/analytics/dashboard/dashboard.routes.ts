import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard-page';

/** Chart.js's UMD build, from node_modules (no CDN). Read once, on the first request. */
let chartJs: Buffer | undefined;
function chartJsSource(): Buffer {
  chartJs ??= readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'));
  return chartJs;
}

/**
 * GET /dashboard (outside /api/v1): the static page and its two scripts. They carry no data, so they are
 * public; every figure comes from /api/v1/analytics/* with the manager's bearer token.
 */
export function registerDashboardRoutes(fastify: FastifyInstance): void {
  fastify.get('/dashboard', async (_req, reply) => {
    void reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    return DASHBOARD_HTML;
  });
  fastify.get('/dashboard/app.js', async (_req, reply) => {
    void reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8');
    return DASHBOARD_JS;
  });
  fastify.get('/dashboard/chart.umd.min.js', async (_req, reply) => {
    void reply.header('cache-control', 'public, max-age=86400').type('text/javascript; charset=utf-8');
    return chartJsSource();
  });
}
