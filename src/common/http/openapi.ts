import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { routeTable } from './route-table';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'https://dealer-crm.dev/problems/validation-failed' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request is invalid' },
    code: { type: 'string', example: 'validation_failed' },
    instance: { type: 'string', example: '/api/v1/customers' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string', example: 'email' }, message: { type: 'string', example: 'email must be an email' } },
      },
    },
  },
};

const humanize = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').toLowerCase();

/**
 * The OpenAPI document: DTOs describe bodies; here every operation gets a summary if it lacks one,
 * its security (none for public routes), and the shared problem+json error response.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Dealer Retention CRM API')
      .setDescription(
        'Customers, vehicles, service visits, maintenance reminders, follow-ups, surveys, complaints, loyalty and retention analytics for car dealerships. Log in with POST /api/v1/auth/login and send `Authorization: Bearer <token>`, or send an `X-API-Key`. Errors are RFC 9457 problem+json.',
      )
      .setVersion('1.0')
      .addServer('/', 'This server')
      .setLicense('Proprietary', 'https://dealer-crm.dev/license')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .build(),
  );
  document.components = document.components ?? {};
  document.components.schemas = { ...(document.components.schemas ?? {}), Problem: PROBLEM_SCHEMA as never };
  document.components.responses = {
    ...(document.components.responses ?? {}),
    Problem: {
      description: 'A client error, as problem+json naming the offending fields',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    },
  };

  const publicOps = new Set(routeTable(app).filter((r) => r.public).map((r) => `${r.method.toLowerCase()} ${r.path}`));
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = op as { summary?: string; operationId?: string; security?: unknown[]; responses?: Record<string, unknown> };
      if (!operation.summary) {
        const handler = (operation.operationId ?? '').split('_').pop() ?? method;
        operation.summary = `${humanize(handler)} (${method.toUpperCase()} ${path.replace('/api/v1', '')})`.replace(/^./, (c) => c.toUpperCase());
      }
      operation.security = publicOps.has(`${method} ${path}`) ? [] : [{ bearer: [] }, { 'api-key': [] }];
      operation.responses = operation.responses ?? {};
      if (!Object.keys(operation.responses).some((code) => code.startsWith('4'))) {
        operation.responses['4XX'] = { $ref: '#/components/responses/Problem' };
      }
    }
  }
  return document;
}
