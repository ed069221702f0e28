import { ConsoleLogger, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { AppModule, AppRuntime } from './app.module';
import { registerBodyParsing } from './common/http/body-parsing';
import { buildOpenApiDocument } from './common/http/openapi';
import { routeTable, UNPREFIXED_ROUTES } from './common/http/route-table';
import { ProblemDetailsFilter } from './common/problem/problem-details.filter';
import { createValidationPipe } from './common/problem/validation.pipe';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function createLogger(level: LogLevel): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1) });
}

/**
 * Requests Node's HTTP parser refuses before any route runs (headers or URL over 16 KB, malformed
 * request lines, timeouts) still answer problem+json, like every other 4xx (found by the fuzz suite).
 */
function problemClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, title] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'header_too_large', 'Request Header Fields Too Large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'Request Timeout']
        : [400, 'bad_request', 'Bad Request'];
  const body = JSON.stringify({
    type: `https://dealer-crm.dev/problems/${code.replace(/_/g, '-')}`,
    title,
    status,
    code,
    detail: 'The request could not be read',
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** The router's own refusals (a URL that is not valid percent-encoded UTF-8, an over-long parameter). */
function problemFrameworkError(error: { statusCode?: number; code?: string }) {
  const status = error.statusCode ?? 400;
  const [code, title] = status === 414 ? ['uri_too_long', 'URI Too Long'] : ['bad_url', 'Bad Request'];
  return {
    type: `https://dealer-crm.dev/problems/${code.replace(/_/g, '-')}`,
    title,
    status,
    code,
    detail: status === 414 ? 'A path parameter is too long' : 'The URL is not valid percent-encoded UTF-8',
  };
}

/** Builds the HTTP application (used by `npm start`, the tests and the benchmarks alike). */
export async function createApp(
  runtime: AppRuntime,
  options: { logger?: ConsoleLogger | false } = {},
): Promise<NestFastifyApplication> {
  const requestTimeout = runtime.config.REQUEST_TIMEOUT_SECONDS * 1000;
  const adapter = new FastifyAdapter({
    // The router refuses these before any hook runs, so helmet's headers are set here by hand.
    frameworkErrors: (error: { statusCode?: number }, _request: unknown, reply: FastifyReply) => {
      const problem = problemFrameworkError(error);
      void reply
        .code(problem.status)
        .headers({
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
          'cache-control': 'no-store',
        })
        .type('application/problem+json')
        .send(problem);
    },
    bodyLimit: 1_048_576,
    // A client that trickles its request (headers or body) is cut off with 408 (checked every second),
    // and an idle keep-alive connection is closed after 5 s.
    requestTimeout,
    keepAliveTimeout: 5_000,
    http: { headersTimeout: Math.min(requestTimeout, 20_000), connectionsCheckingInterval: 1_000 },
    // Signed tokens in public links (survey, unsubscribe) are path parameters of up to 2,048 characters.
    routerOptions: { maxParamLength: 2048 },
    trustProxy: runtime.config.trustProxy,
    // A caller's X-Request-Id is kept when sane; otherwise we mint one. It is echoed on every response.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    logger: false,
    clientErrorHandler: problemClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime), adapter, {
    logger: options.logger ?? createLogger(runtime.config.LOG_LEVEL),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();

  registerBodyParsing(app, routeTable(app));

  const http = new Logger('HTTP');
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // API answers are per user and often personal: no shared or browser cache keeps them.
    if (request.url.startsWith('/api/v1/')) void reply.header('cache-control', 'no-store');
  });
  // One line per request: the route pattern, never the raw URL (signed links carry tokens) or bodies.
  fastify.addHook('onResponse', async (request, reply) => {
    http.log({
      msg: 'request',
      requestId: request.id,
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  // Security headers on every answer. The middleware is built once: @fastify/helmet built it again (its CSP
  // directives parsed) on every request, ~5 % of the app's CPU per redemption.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (e?: unknown) => done(e instanceof Error ? e : undefined)),
  );

  app.setGlobalPrefix('api/v1', { exclude: UNPREFIXED_ROUTES });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  return app;
}
