import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { getMetadataStorage, validateSync } from 'class-validator';
import type { MetadataStorage } from 'class-validator/types/metadata/MetadataStorage';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { routeTable, RouteInfo } from '../src/common/http/route-table';
import { startTestApp, TestApp } from './support/test-app';

const run = promisify(execFile);

interface Operation {
  summary?: string;
  operationId?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
}
interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const IGNORE_FILE = '.redocly.lint-ignore.yaml';

interface SchemaObject {
  type?: string;
  format?: string;
  nullable?: boolean;
  $ref?: string;
  allOf?: unknown[];
  enum?: unknown[];
  properties?: Record<string, SchemaObject>;
}

const STRING_RULES = [
  'isString',
  'isEmail',
  'isUuid',
  'isIso8601',
  'isDateString',
  'matches',
  'minLength',
  'maxLength',
  'isUrl',
];
/** The JSON type (and format) that a field's class-validator rules let through. */
function typeOf(rules: ValidationMetadata[]): { type: string; format?: string } | undefined {
  const names = new Set(rules.filter((r) => !r.each).map((r) => r.name));
  if (names.has('isArray') || rules.some((r) => r.each)) return { type: 'array' };
  if (names.has('isInt')) return { type: 'integer' };
  if (names.has('isNumber')) return { type: 'number' };
  if (names.has('isBoolean')) return { type: 'boolean' };
  if (names.has('isUuid')) return { type: 'string', format: 'uuid' };
  if (names.has('isEmail')) return { type: 'string', format: 'email' };
  if ([...names].some((n) => n && STRING_RULES.includes(n))) return { type: 'string' };
  return undefined;
}

describe('API documentation', () => {
  let t: TestApp;
  let doc: Document;
  let routes: RouteInfo[];
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/api/docs-json')).body as Document;
    routes = routeTable(t.app);
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${p}`, path: p, method, op })),
    );
  const route = (method: string, p: string) =>
    routes.find((r) => r.method === method.toUpperCase() && r.path === p);
  /** The problem+json schema a response points at, following a `$ref` to components/responses. */
  const problemSchemaOf = (response: Operation['responses'][string] | undefined) => {
    const resolved = response?.$ref ? doc.components.responses?.[response.$ref.split('/').pop()!] : response;
    return resolved?.content?.['application/problem+json']?.schema?.$ref;
  };
  const withoutStatus = (status: string, ops: ReturnType<typeof operations>) =>
    ops
      .filter(({ op }) => problemSchemaOf(op.responses[status]) !== '#/components/schemas/Problem')
      .map(({ key }) => key);

  it('serves the OpenAPI UI and JSON without login', async () => {
    const ui = await t.http.get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
  });

  it('documents every route of the app', () => {
    const missing = routes
      .filter((r) => !doc.paths[r.path]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('lints with 0 errors and 0 warnings under the recommended rules of @redocly/cli', async () => {
    // The recommended rules in full: an accepted finding goes into the ignore file with its reason, no rule is off.
    const config = fs.readFileSync('redocly.yaml', 'utf8');
    expect(config).toMatch(/^extends:\s*\n\s*- recommended\s*$/m);
    expect(config).not.toMatch(/^\s*rules:/m);
    // The document is linted as openapi.json beside the config and its ignore file, as docs/api.md says to.
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'lint-'));
    for (const file of ['redocly.yaml', IGNORE_FILE]) fs.copyFileSync(file, path.join(dir, file));
    fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc, null, 1));
    const bin = path.resolve('node_modules/.bin/redocly');
    const args = [
      'lint',
      'openapi.json',
      '--config',
      'redocly.yaml',
      '--format=json',
      '--max-problems=10000',
    ];
    // It exits 1 when there are errors: the JSON report on stdout is what is judged, not the exit code.
    const result = await run(bin, args, {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stdout: string; stderr: string }) => e);
    const report = JSON.parse(result.stdout) as LintReport;
    const findings = report.problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`,
    );
    expect(findings).toEqual([]);
    // Every accepted finding in the ignore file still occurs (none is stale), and nothing else was ignored.
    const accepted = fs.readFileSync(IGNORE_FILE, 'utf8').match(/^\s+- '#\//gm) ?? [];
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: accepted.length });
  }, 120_000);

  it('routes a literal segment and a uuid id beside it to their own operations (the accepted ambiguity)', async () => {
    const admin = await t.user('admin');
    const unknown = randomUUID();
    const job = await t.http
      .get(`/api/v1/customers/imports/${unknown}`)
      .set('authorization', `Bearer ${admin.token}`);
    expect([job.status, job.body.detail]).toEqual([404, 'Import job not found']);
    const customer = await t.http
      .get(`/api/v1/customers/${unknown}/360`)
      .set('authorization', `Bearer ${admin.token}`);
    expect([customer.status, customer.body.detail]).toEqual([404, 'Customer not found']);
    for (const p of ['/api/v1/customers/{id}/360', '/api/v1/customers/imports/{jobId}']) {
      const param = doc.paths[p].get.parameters?.find((x) => x.in === 'path') as {
        schema?: { format?: string };
      };
      expect(param.schema?.format).toBe('uuid');
    }
  });

  it('has no optional field typed a bare object (a nullable field keeps its real type)', () => {
    const schemas = (
      doc as unknown as {
        components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
      }
    ).components.schemas;
    const bare = Object.entries(schemas).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(
          ([, prop]) =>
            prop.type === 'object' &&
            !prop.properties &&
            !prop.additionalProperties &&
            !prop.$ref &&
            !prop.allOf,
        )
        .map(([field]) => `${name}.${field}`),
    );
    expect(bare).toEqual([]);
  });

  it('documents each validated body field with the type and nullability its validators accept', () => {
    const schemas = (doc as unknown as { components: { schemas: Record<string, SchemaObject> } }).components
      .schemas;
    const storage = getMetadataStorage() as unknown as Pick<
      MetadataStorage,
      'getTargetValidationMetadatas'
    > & {
      validationMetadatas: Map<Function, ValidationMetadata[]>;
    };
    const drift: string[] = [];
    for (const cls of storage.validationMetadatas.keys()) {
      const schema = schemas[cls.name];
      if (!schema?.properties) continue;
      const metas = storage.getTargetValidationMetadatas(cls, '', true, false);
      for (const [prop, documented] of Object.entries(schema.properties)) {
        const own = metas.filter((m) => m.propertyName === prop);
        if (own.length === 0) continue;
        // What the API does: send null for the field alone and see whether the field is refused.
        const acceptsNull = !validateSync(Object.assign(new (cls as new () => object)(), { [prop]: null }), {
          forbidUnknownValues: false,
        }).some((e) => e.property === prop);
        if (acceptsNull !== (documented.nullable === true))
          drift.push(
            `${cls.name}.${prop}: null ${acceptsNull ? 'accepted' : 'refused'}, documented nullable ${documented.nullable === true}`,
          );
        const expected = typeOf(own);
        const actual = documented.type ?? (documented.$ref || documented.allOf ? 'object' : undefined);
        if (expected && expected.type !== actual)
          drift.push(`${cls.name}.${prop}: validated as ${expected.type}, documented ${actual}`);
        if (expected?.format && expected.format !== documented.format)
          drift.push(
            `${cls.name}.${prop}: validated as ${expected.format}, documented format ${documented.format}`,
          );
      }
    }
    expect(drift).toEqual([]);
  });

  it('gives every operation a written summary, never the generated "Verb (METHOD /path)"', () => {
    const bad = operations()
      .filter(({ op }) => !op.summary || /\((GET|POST|PUT|PATCH|DELETE) \//.test(op.summary))
      .map(({ key, op }) => `${key}: ${op.summary}`);
    expect(bad).toEqual([]);
  });

  it('documents the success status each route answers', () => {
    const wrong = routes
      .map((r) => ({
        r,
        documented: Object.keys(doc.paths[r.path][r.method.toLowerCase()].responses).filter((s) =>
          /^[23]/.test(s),
        ),
      }))
      .filter(({ r, documented }) => !documented.includes(String(r.status)))
      .map(
        ({ r, documented }) =>
          `${r.method} ${r.path}: answers ${r.status}, documents ${documented.join(', ')}`,
      );
    expect(wrong).toEqual([]);
  });

  it('lists 401 on every operation that needs a login', () => {
    const ops = operations();
    expect(ops.length).toBe(routes.length);
    const secured = ops.filter(({ path: p, method }) => !route(method, p)?.public);
    expect(secured.length).toBeGreaterThan(80);
    expect(withoutStatus('401', secured)).toEqual([]);
  });

  it('lists 403 on every operation restricted to some roles', () => {
    const restricted = operations().filter(({ path: p, method }) => route(method, p)?.roles);
    expect(restricted.length).toBeGreaterThan(10);
    expect(withoutStatus('403', restricted)).toEqual([]);
  });

  it('lists 404 on every operation with an id in its path', () => {
    const withId = operations().filter(({ path: p }) => /\{\w*[iI]d\}/.test(p));
    expect(withId.length).toBeGreaterThan(20);
    expect(withoutStatus('404', withId)).toEqual([]);
  });

  it('lists 400 on every operation that reads a body', () => {
    const withBody = operations().filter(({ op }) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(20);
    expect(withoutStatus('400', withBody)).toEqual([]);
  });

  it('documents If-Match as required, with 412 and 428, on every handler that reads @IfMatchVersion()', () => {
    const ifMatch = operations().filter(({ path: p, method }) => route(method, p)?.ifMatch);
    expect(ifMatch.map(({ key }) => key)).toEqual(
      expect.arrayContaining([
        'PATCH /api/v1/customers/{id}',
        'PATCH /api/v1/vehicles/{id}',
        'PATCH /api/v1/users/{id}',
        // These two never declared the header themselves.
        'PATCH /api/v1/maintenance-items/{code}',
        'PATCH /api/v1/loyalty/rewards/{id}',
      ]),
    );
    const undocumented = ifMatch.filter(
      ({ op }) => !op.parameters?.some((p) => p.in === 'header' && p.name === 'If-Match' && p.required),
    );
    expect(undocumented.map(({ key }) => key)).toEqual([]);
    expect(withoutStatus('412', ifMatch)).toEqual([]);
    expect(withoutStatus('428', ifMatch)).toEqual([]);
    // An optional If-Match (complaint transitions) can still be stale.
    const optional = operations().filter(({ op }) =>
      op.parameters?.some((p) => p.in === 'header' && p.name === 'If-Match' && !p.required),
    );
    expect(optional.length).toBeGreaterThan(0);
    expect(withoutStatus('412', optional)).toEqual([]);
  });

  it('lists the errors only a service knows where it throws them (a sample)', () => {
    const sample: Record<string, string[]> = {
      'POST /api/v1/customers': ['404', '409', '422'],
      'POST /api/v1/customers/{id}/erasure': ['409'],
      'POST /api/v1/vehicles': ['409', '422'],
      'POST /api/v1/vehicles/{id}/odometer-readings': ['403', '422'],
      'POST /api/v1/messages/{id}/retry': ['409'],
      'POST /api/v1/customers/{id}/loyalty/redemptions': ['422', '428'],
      'POST /api/v1/service-visits': ['409', '422'],
      'POST /api/v1/tasks/{id}/complete': ['403', '409'],
      'POST /api/v1/complaints/{id}/acknowledge': ['403', '409', '412'],
      'POST /api/v1/surveys/{token}': ['404', '409', '410'],
      'POST /api/v1/auth/login': ['400', '401', '429'],
    };
    const missing = Object.entries(sample).flatMap(([key, statuses]) => {
      const [method, p] = key.split(' ');
      const op = doc.paths[p][method.toLowerCase()];
      return statuses.filter((s) => problemSchemaOf(op.responses[s]) === undefined).map((s) => `${key} ${s}`);
    });
    expect(missing).toEqual([]);
  });

  it('points every error response at the problem+json schema (public pages may answer an HTML page instead)', () => {
    const bad = operations().flatMap(({ key, path: p, method, op }) =>
      Object.keys(op.responses)
        .filter((status) => /^[45]/.test(status) && !problemSchemaOf(op.responses[status]))
        .filter((status) => !(route(method, p)?.public && op.responses[status].content?.['text/html']))
        .map((status) => `${key} ${status}`),
    );
    expect(bad).toEqual([]);
  });
});
