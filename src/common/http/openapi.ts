import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { routeTable, type RouteInfo } from './route-table';

// The OpenAPI object types, reached through the one that @nestjs/swagger exports.
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ParameterObject = Exclude<NonNullable<OperationObject['parameters']>[number], { $ref: string }>;
type ResponseOrRef = NonNullable<OperationObject['responses'][string]>;

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
        properties: {
          field: { type: 'string', example: 'email' },
          message: { type: 'string', example: 'email must be an email' },
        },
      },
    },
  },
};

/** The content of an error answer; spread it beside another media type where a route also answers one. */
export const PROBLEM_CONTENT = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

/** The error answers shared by many operations, as `#/components/responses/<name>`. */
const SHARED_PROBLEMS = {
  BadRequest: 'The request is invalid (body, query, path or header); `errors` names each offending field',
  Unauthorized: 'No valid bearer token or API key',
  Forbidden: 'Your role may not do this',
  NotFound: 'No such record, or it belongs to a rooftop not granted to you (the same answer for both)',
  PreconditionFailed:
    'If-Match names a version that is no longer current: reload and retry (`currentVersion` says which)',
  IfMatchRequired: 'If-Match is missing: send the version you read (its ETag)',
  IdempotencyKeyRequired: 'Idempotency-Key is missing: send a unique key (e.g. a UUID) per request',
  IdempotencyKeyReused: 'This Idempotency-Key was already used with a different body',
  UnsupportedMediaType: 'The body is not of a media type this operation reads',
} as const;
type SharedProblem = keyof typeof SHARED_PROBLEMS;

const header = (op: OperationObject, name: string) =>
  (op.parameters as ParameterObject[] | undefined)?.find(
    (p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase(),
  );

/**
 * The client errors an operation answers because of what it is, read from the route's own metadata:
 * inputs are validated (400), a login is needed (401), roles are restricted (403), a path names a record
 * or `?rooftopId=` a rooftop (404, a closed enum in the path is a 400 instead), a body is read (415),
 * If-Match and Idempotency-Key headers (412, 428, 422). What only a service knows (409, most 422s, a 403
 * inside a service) each controller declares with `@ApiXxxResponse({ description })`.
 */
function derivedProblems(route: RouteInfo, op: OperationObject): [string, SharedProblem][] {
  const params = (op.parameters ?? []) as ParameterObject[];
  const out: [string, SharedProblem][] = [];
  if (params.length > 0 || op.requestBody) out.push(['400', 'BadRequest']);
  if (!route.public) out.push(['401', 'Unauthorized']);
  if (route.roles) out.push(['403', 'Forbidden']);
  const namesRecord = (p: ParameterObject) =>
    (p.in === 'path' && !(p.schema as { enum?: unknown } | undefined)?.enum) ||
    (p.in === 'query' && p.name === 'rooftopId');
  if (params.some(namesRecord)) out.push(['404', 'NotFound']);
  if (op.requestBody) out.push(['415', 'UnsupportedMediaType']);
  const ifMatch = header(op, 'If-Match');
  if (ifMatch) out.push(['412', 'PreconditionFailed']);
  if (ifMatch?.required) out.push(['428', 'IfMatchRequired']);
  const idempotencyKey = header(op, 'Idempotency-Key');
  if (idempotencyKey) out.push(['422', 'IdempotencyKeyReused']);
  if (idempotencyKey?.required) out.push(['428', 'IdempotencyKeyRequired']);
  return out;
}

/**
 * The OpenAPI document: DTOs describe bodies, controllers describe each operation (summary, and the errors
 * only their service knows); here every operation gets its security (none for public routes), the errors
 * derived from its route (see derivedProblems), and every error response the problem+json schema.
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
  const used = new Set<SharedProblem>();

  for (const route of routeTable(app)) {
    const op = document.paths[route.path]?.[route.method.toLowerCase() as 'get'];
    if (!op) continue;
    op.security = route.public ? [] : [{ bearer: [] }, { 'api-key': [] }];
    const params = (op.parameters ?? []) as ParameterObject[];
    for (const p of params) {
      if (p.in === 'path' && route.uuidParams.includes(p.name)) p.schema = { type: 'string', format: 'uuid' };
    }
    if (route.ifMatch && !header(op, 'If-Match')) {
      params.push({
        name: 'If-Match',
        in: 'header',
        required: true,
        description: 'The version you read (its ETag), e.g. "3"',
        schema: { type: 'string' },
      });
    }
    op.parameters = params;

    const responses = (op.responses ?? {}) as Record<string, ResponseOrRef>;
    // @nestjs/swagger lists the success status only while an operation declares no response at all, so an
    // operation that declares just its errors would lose it.
    if (!Object.keys(responses).some((status) => /^[23]/.test(status))) {
      responses[String(route.status)] = { description: 'Success' };
    }
    for (const [status, name] of derivedProblems(route, op)) {
      // A controller's own description of the status (it knows more reasons) wins over the shared one.
      if (responses[status]) continue;
      responses[status] = { $ref: `#/components/responses/${name}` };
      used.add(name);
    }
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status.slice(0, 1)) >= 4 && !('$ref' in response) && !response.content) {
        response.content = PROBLEM_CONTENT;
      }
    }
    op.responses = responses;
  }

  document.components.responses = {
    ...(document.components.responses ?? {}),
    ...Object.fromEntries(
      [...used]
        .sort()
        .map((name) => [name, { description: SHARED_PROBLEMS[name], content: PROBLEM_CONTENT }]),
    ),
  };
  return document;
}
