import fc from 'fast-check';
import type { Test } from 'supertest';
import { buildWorld, realPathParam, type World } from '../support/security-world';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Fuzzing every write endpoint of the OpenAPI document with hostile bodies (deep nesting, NUL bytes, lone
 * surrogates, 1e309, prototype keys), body types the route was not made for, query strings, headers and path
 * parameters. Whatever comes in: never a 5xx; every 4xx is application/problem+json; and when every answer
 * for an endpoint was a 4xx, no table changed (row counts, versions and last update of every table).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const WRITE = ['post', 'put', 'patch', 'delete'];
/** Written by design on refused requests: failed logins are counted for the rate limit. */
const IGNORED_TABLES = ['login_throttle', 'schema_migrations'];

interface Operation {
  method: string;
  path: string;
  schema: Schema | null;
  params: string[];
}
interface Schema {
  type?: string;
  properties?: Record<string, Schema & { example?: unknown }>;
  required?: string[];
  $ref?: string;
  example?: unknown;
}

const SPECIAL = [
  "'; DROP TABLE customer; --",
  "1' OR '1'='1",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '\u0000',
  '../../../../etc/passwd',
  '{{constructor.constructor("return process")()}}',
  '${7*7}',
  '%00%ff',
  'NaN',
  '-0',
  '1e309',
  'ល្អណាស់',
  'ສະບາຍດີ',
  '😀'.repeat(300),
  'a'.repeat(100_000),
  '2026-02-30T25:61:00Z',
  '00000000-0000-0000-0000-000000000000',
  '\ud800',
  'a\udc00b',
  'end\u0000',
  '__proto__',
];
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(...SPECIAL),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -1e308, 1e308, 0.5, -0.0001),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(hostileString, hostileNumber, fc.constant(null)), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(hostileString, hostileNumber), { maxKeys: 3 }),
  fc.constant({ $gt: '' }),
  fc.constant({ __proto__: { admin: true } }),
);
/** encodeURIComponent, except that a lone surrogate goes out as its WTF-8 bytes (%ED%A0%80) as a raw client may. */
const encodePathSegment = (s: string) =>
  s.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (c) => {
    if (c.length === 2 || c.charCodeAt(0) < 0xd800 || c.charCodeAt(0) > 0xdfff) return encodeURIComponent(c);
    const u = c.charCodeAt(0);
    return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
      .map((b) => `%${b.toString(16).toUpperCase()}`)
      .join('');
  });
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 2000);

describe('fuzzing every write endpoint (OpenAPI document)', () => {
  let t: TestApp;
  let w: World;
  let operations: Operation[];
  let components: Record<string, Schema>;
  let snapshotSql: string;

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildWorld(t);
    const doc = (await t.http.get('/api/docs-json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content?: Record<string, { schema?: Schema }> };
            parameters?: { in: string; name: string }[];
          }
        >
      >;
      components: { schemas: Record<string, Schema> };
    };
    components = doc.components.schemas;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => WRITE.includes(method))
        .map(([method, op]) => ({
          method,
          path,
          schema: resolve(op.requestBody?.content?.['application/json']?.schema ?? null),
          params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        })),
    );
    // One query over every table: row count, and the sum of versions / latest update where they exist.
    const columns: { table_name: string; column_name: string }[] = await t.db.query(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
        WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'`,
    );
    const tables = [...new Set(columns.map((c) => c.table_name))]
      .filter((x) => !IGNORED_TABLES.includes(x))
      .sort();
    snapshotSql =
      'SELECT ' +
      tables
        .map((table) => {
          const has = (col: string) => columns.some((c) => c.table_name === table && c.column_name === col);
          const parts = ['count(*)::text'];
          if (has('version')) parts.push('coalesce(sum(version), 0)::text');
          if (has('updated_at')) parts.push("coalesce(max(updated_at)::text, '')");
          return `(SELECT ${parts.join(" || '/' || ")} FROM "${table}") AS "${table}"`;
        })
        .join(', ');
  });
  afterAll(() => t.close());

  function resolve(schema: Schema | null): Schema | null {
    if (!schema) return null;
    return schema.$ref ? (components[schema.$ref.split('/').pop()!] ?? null) : schema;
  }

  const realParam = (path: string, name: string) => realPathParam(w, path, name);

  const bodyArbitrary = (op: Operation): fc.Arbitrary<{ raw: string }> => {
    const properties = op.schema?.properties ?? {};
    const example = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v.example ?? null]));
    const names = Object.keys(properties);
    const mutated =
      names.length === 0
        ? fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), hostileValue, { minKeys: 1, maxKeys: 4 })
        : fc
            .record({
              fields: fc.uniqueArray(fc.constantFrom(...names), {
                minLength: 1,
                maxLength: Math.min(3, names.length),
              }),
              values: fc.array(hostileValue, { minLength: 3, maxLength: 3 }),
              unknown: fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), hostileValue)),
            })
            .map(({ fields, values, unknown }) => {
              const body: Record<string, unknown> = { ...example };
              fields.forEach((f, i) => (body[f] = values[i]));
              if (unknown && !(unknown[0] in properties)) body[unknown[0]] = unknown[1];
              return body;
            });
    return fc
      .oneof(
        { weight: 5, arbitrary: mutated.map((b) => JSON.stringify(b)) },
        {
          weight: 2,
          arbitrary: fc
            .dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 5 })
            .map((b) => JSON.stringify(b)),
        },
        {
          weight: 2,
          arbitrary: fc
            .oneof(fc.array(hostileValue, { maxLength: 3 }), hostileString, hostileNumber, fc.constant(null))
            .map((b) => JSON.stringify(b)),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '{"a":',
            '{}}',
            '[',
            '\u0000',
            'x'.repeat(1_200_000),
            '{"__proto__":{"isAdmin":true}}',
            '{"constructor":{"prototype":{"isAdmin":true}}}',
            '['.repeat(100_000) + ']'.repeat(100_000),
            '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
            '{"x":1e309,"y":-0,"z":-1e309}',
            '{"name":"\\ud800","\\u0000":"x"}',
          ),
        },
      )
      .map((raw) => ({ raw }));
  };

  const requestArbitrary = (op: Operation) =>
    fc.record({
      body: bodyArbitrary(op),
      // Real ids when a body can be invalid; no-body endpoints get only unknown or hostile ids (a real id would
      // make a valid request).
      params: fc.tuple(
        ...op.params.map((name) =>
          op.schema
            ? fc.oneof(fc.constant(realParam(op.path, name)), fc.uuid(), hostileString)
            : fc.oneof(fc.uuid(), hostileString),
        ),
      ),
      query: fc.dictionary(
        fc.constantFrom('limit', 'cursor', 'rooftopId', 'asOf', 'jobId', 'status', 'x'),
        fc.oneof(hostileString, hostileNumber.map(String)),
        {
          maxKeys: 3,
        },
      ),
      // Every route also meets the body types it was not made for (once, text/csv aborted the process).
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            'application/json; charset=utf-8',
            'text/csv',
            'application/csv',
            'TEXT/CSV; charset=utf-8',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/octet-stream',
          ),
        },
      ),
      headers: fc.dictionary(
        fc.constantFrom('If-Match', 'Idempotency-Key', 'X-Request-Id', 'Accept-Language', 'X-Forwarded-For'),
        hostileString.map(headerSafe),
        { maxKeys: 3 },
      ),
    });

  it('has write endpoints to fuzz', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it('never answers 5xx, answers problem+json on every 4xx, and writes nothing when it refuses', async () => {
    const failures: string[] = [];
    let requests = 0;
    for (const op of operations) {
      const [before] = await t.db.query(snapshotSql);
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async ({ body, params, query, headers, contentType }) => {
          let i = 0;
          const url = op.path.replace(/\{\w+\}/g, () => encodePathSegment(String(params[i++]))) || '/';
          let req: Test = (t.http as unknown as Record<string, (u: string) => Test>)
            [op.method](url)
            .query(query)
            .set(bearer(w.admin.token))
            .set('Content-Type', contentType)
            .set('Accept', 'application/json');
          for (const [h, v] of Object.entries(headers)) req = req.set(h, v);
          const res = await req.send(body.raw);
          requests += 1;
          if (res.status < 300) accepted += 1;
          const type = String(res.headers['content-type'] ?? '');
          if (res.status >= 500 || (res.status >= 400 && !type.startsWith('application/problem+json'))) {
            failures.push(
              `${op.method.toUpperCase()} ${op.path} (${contentType}) → ${res.status} ${type} ${body.raw.slice(0, 120)} ${JSON.stringify(res.body).slice(0, 200)}`,
            );
          }
        }),
        { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261123), endOnFailure: true },
      );
      const [after] = await t.db.query(snapshotSql);
      if (accepted === 0) {
        const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
        if (changed.length)
          failures.push(
            `${op.method.toUpperCase()} ${op.path} refused everything but changed ${changed.join(', ')}`,
          );
      }
    }
    expect(requests).toBeGreaterThanOrEqual(operations.length * RUNS);
    expect(failures).toEqual([]);
  }, 600_000);
});
