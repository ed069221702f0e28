import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { CustomerImportService, IMPORT_BATCH_SIZE } from '../src/customers/customer-import.service';
import { freePort } from '../src/database/embedded-postgres';
import { startAppChild, stopChild, type Child } from './support/child-processes';
import { bearer, createTestDatabase, startTestApp, TestApp } from './support/test-app';

type Staff = { id: string; token: string };

describe('customer CSV import and export', () => {
  let t: TestApp;
  let rooftopA: string;
  let rooftopB: string;
  let manager: Staff;
  let sales: Staff;
  let salesB: Staff;

  beforeAll(async () => {
    t = await startTestApp();
    rooftopA = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    rooftopB = (await t.rooftop({ name: 'Vientiane Auto' })).id;
    manager = await t.user('manager', [rooftopA]);
    sales = await t.user('salesperson', [rooftopA]);
    salesB = await t.user('salesperson', [rooftopB]);
  });
  afterAll(() => t.close());

  const importCsv = (token: string, csv: string, rooftopId = rooftopA, extra: Record<string, string> = {}) =>
    t.http
      .post('/api/v1/customers/import')
      .query({ rooftopId, ...extra })
      .set(bearer(token))
      .set('Content-Type', 'text/csv')
      .send(csv);

  /** The export as sent: its bytes (`body`) and as UTF-8 text (`text`, a BOM kept as U+FEFF). */
  async function exportCsv(rooftopId: string) {
    const res = await t.http
      .get('/api/v1/customers/export')
      .query({ rooftopId })
      .set(bearer(manager.token))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    const bytes = res.body as Buffer;
    return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  }

  const customers = (rooftopId: string) =>
    t.db.query(
      `SELECT external_id, first_name, last_name, email, phone, address, birthday::text AS birthday, language, version
         FROM customer WHERE home_rooftop_id = $1 ORDER BY external_id`,
      [rooftopId],
    );

  const FILE = [
    'External_ID,First Name,Last Name,Email,Phone,Address,Birthday,Language,Dealer Code',
    'DMS-1,Dara,Sok,DARA@example.com,012 345 678,"12 Street 271, Phnom Penh",1988-04-13,km,PP01',
    'DMS-2,Sophea,Chan,,+855 97 765 4321,,,,PP01',
    'DMS-3,Bad,Phone,bad@example.com,12,,,en,PP01',
    ',No,Id,noid@example.com,,,,,PP01',
    'DMS-5,Bad,Many,not-an-email,,,1990-02-30,fr,PP01',
    'DMS-6,Vanna,Keo,vanna@example.com,,,,lo,PP01',
  ].join('\n');

  it('imports the good rows and reports every bad row by line and column', async () => {
    const res = await importCsv(sales.token, FILE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'completed',
      rowsProcessed: 6,
      created: 3,
      updated: 0,
      unchanged: 0,
      failed: 3,
      errorsTruncated: false,
    });
    expect(res.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [4, 'phone'],
      [5, 'external_id'],
      [6, 'email'],
      [6, 'birthday'],
      [6, 'language'],
    ]);
    expect(res.body.errors[0].message).toMatch(/^phone /);
    expect(await customers(rooftopA)).toEqual([
      {
        external_id: 'DMS-1',
        first_name: 'Dara',
        last_name: 'Sok',
        email: 'dara@example.com',
        phone: '+85512345678',
        address: '12 Street 271, Phnom Penh',
        birthday: '1988-04-13',
        language: 'km',
        version: 1,
      },
      {
        external_id: 'DMS-2',
        first_name: 'Sophea',
        last_name: 'Chan',
        email: null,
        phone: '+855977654321',
        address: null,
        birthday: null,
        language: 'en',
        version: 1,
      },
      {
        external_id: 'DMS-6',
        first_name: 'Vanna',
        last_name: 'Keo',
        email: 'vanna@example.com',
        phone: null,
        address: null,
        birthday: null,
        language: 'lo',
        version: 1,
      },
    ]);
    const job = await t.http.get(`/api/v1/customers/imports/${res.body.id}`).set(bearer(sales.token));
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({
      status: 'completed',
      created: 3,
      failed: 3,
      rooftopId: rooftopA,
      source: 'api',
    });
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.imported'`),
    ).toEqual([{ n: 3 }]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await customers(rooftopA);
    const res = await importCsv(sales.token, FILE);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rowsProcessed: 6, created: 0, updated: 0, unchanged: 3, failed: 3 });
    expect(await customers(rooftopA)).toEqual(before);
  });

  it('updates only the changed rows, keeps columns the file lacks, and reads DMS header aliases', async () => {
    const res = await importCsv(
      sales.token,
      [
        'cust_no,firstname,surname,mobile',
        'DMS-1,Dara,Sok,012 345 678',
        'DMS-2,Sophea,Chan-Lim,097 765 4321',
        'DMS-7,Nary,Ouk,',
      ].join('\r\n'),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rowsProcessed: 3, created: 1, updated: 1, unchanged: 1, failed: 0 });
    const rows = await customers(rooftopA);
    expect(rows.find((r: { external_id: string }) => r.external_id === 'DMS-1')).toMatchObject({
      email: 'dara@example.com',
      language: 'km',
      version: 1,
    });
    expect(rows.find((r: { external_id: string }) => r.external_id === 'DMS-2')).toMatchObject({
      last_name: 'Chan-Lim',
      version: 2,
    });
    expect(rows.find((r: { external_id: string }) => r.external_id === 'DMS-7')).toMatchObject({
      first_name: 'Nary',
      phone: null,
      language: 'en',
    });
  });

  it("refuses to take over another rooftop's customer by external id", async () => {
    const res = await importCsv(
      salesB.token,
      'external_id,first_name\nDMS-1,Intruder\nLAO-1,Somphone\n',
      rooftopB,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, failed: 1, errors: [{ row: 2, field: 'external_id' }] });
    expect(
      (await customers(rooftopA)).find((r: { external_id: string }) => r.external_id === 'DMS-1').first_name,
    ).toBe('Dara');
  });

  it('answers 422 naming the header when required columns are missing, and writes no customer', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM customer`);
    const res = await importCsv(sales.token, 'name,email\nDara,dara@example.com\n');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'csv_header_invalid', errors: [{ field: 'header' }] });
    expect(res.body.detail).toMatch(/external_id, first_name/);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM customer`)).toEqual(before);
    expect(res.body.job.status).toBe('failed');
  });

  it('answers 422 for a malformed CSV and 415 for a body that is not CSV', async () => {
    const malformed = await importCsv(sales.token, 'external_id,first_name\n"DMS-9,Unclosed\n');
    expect(malformed.status).toBe(422);
    expect(malformed.body.code).toBe('csv_malformed');
    const json = await t.http
      .post('/api/v1/customers/import')
      .query({ rooftopId: rooftopA })
      .set(bearer(sales.token))
      .send({ external_id: 'x' });
    expect(json.status).toBe(415);
    const noRooftop = await importCsv(sales.token, 'external_id,first_name\n', 'nope');
    expect(noRooftop.status).toBe(400);
    expect(noRooftop.body.errors).toEqual([expect.objectContaining({ field: 'rooftopId' })]);
    expect((await importCsv(sales.token, 'external_id,first_name\nX-1,A\n', rooftopB)).status).toBe(404);
  });

  it('refuses a stray quote, binary data and a file that is not UTF-8 with 422 naming the line, never the cell, and writes no customer', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM customer`);
    const header = 'external_id,first_name,last_name\n';
    const files: [string, Buffer, number][] = [
      ['a quote inside an unquoted cell', Buffer.from(`${header}DMS-Q1,Soph"ea,Chan\n`), 2],
      ['a NUL byte', Buffer.from(`${header}DMS-N1,Sophea\u0000,Chan\n`), 2],
      [
        'Latin-1 text',
        Buffer.concat([Buffer.from(`${header}DMS-L1,Soph`), Buffer.from([0xe9]), Buffer.from('a,Chan\n')]),
        2,
      ],
      ['UTF-16 (Excel "Unicode text")', Buffer.from(`\ufeff${header}DMS-U1,Sophea,Chan\n`, 'utf16le'), 1],
      [
        'binary data',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
        3,
      ],
      ['an unclosed quote', Buffer.from(`${header}"DMS-9,Sophea\n`), 2],
    ];
    for (const [what, file, line] of files) {
      const res = await t.http
        .post('/api/v1/customers/import')
        .query({ rooftopId: rooftopA })
        .set(bearer(sales.token))
        .set('Content-Type', 'text/csv')
        .send(file);
      expect({ what, status: res.status, type: res.headers['content-type'] }).toEqual({
        what,
        status: 422,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(res.body).toMatchObject({ code: 'csv_malformed', errors: [{ field: 'body' }] });
      expect({ what, detail: res.body.detail }).toEqual({
        what,
        detail: expect.stringContaining(`line ${line}:`),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/Soph/);
      expect(res.body.job).toMatchObject({ status: 'failed', created: 0, updated: 0 });
      expect(res.body.job.failure).not.toMatch(/Soph/);
    }
    expect(await t.db.query(`SELECT count(*)::int AS n FROM customer`)).toEqual(before);
  });

  it('shows progress of a large import while the file is still uploading', async () => {
    const importer = t.app.get(CustomerImportService);
    const upload = new PassThrough();
    const jobId = randomUUID();
    const done = importer.import(upload, { rooftopId: rooftopA, actor: null, source: 'cli', jobId });
    upload.write('external_id,first_name,last_name\n');
    for (let i = 0; i < IMPORT_BATCH_SIZE + 10; i++) upload.write(`BULK-${i},Bulk,Row${i}\n`);
    // The stream stays open: the first batch must be committed and visible before the upload ends.
    let progress: { status: string; rowsProcessed: number; created: number } | undefined;
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await t.http.get(`/api/v1/customers/imports/${jobId}`).set(bearer(manager.token));
      if (res.status === 200 && res.body.created >= IMPORT_BATCH_SIZE) {
        progress = res.body;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(progress).toMatchObject({ status: 'running', created: IMPORT_BATCH_SIZE });
    upload.end();
    const job = await done;
    expect(job).toMatchObject({
      status: 'completed',
      rowsProcessed: IMPORT_BATCH_SIZE + 10,
      created: IMPORT_BATCH_SIZE + 10,
    });
    expect((await t.http.get(`/api/v1/customers/imports/${jobId}`).set(bearer(salesB.token))).status).toBe(
      404,
    );
    const list = await t.http.get('/api/v1/customers/imports').set(bearer(manager.token));
    expect(list.body.items.map((j: { id: string }) => j.id)).toContain(jobId);
  });

  it('exports CSV that imports back unchanged, without erased customers, for managers only', async () => {
    const victim = (await t.db.query(`SELECT id FROM customer WHERE external_id = 'DMS-6'`))[0].id;
    expect((await t.http.post(`/api/v1/customers/${victim}/erasure`).set(bearer(manager.token))).status).toBe(
      200,
    );

    expect(
      (await t.http.get('/api/v1/customers/export').query({ rooftopId: rooftopA }).set(bearer(sales.token)))
        .status,
    ).toBe(403);
    const res = await exportCsv(rooftopA);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const csv = res.text;
    const rows: Record<string, string>[] = parse(csv, { columns: true, bom: true });
    expect(Object.keys(rows[0])).toEqual([
      'id',
      'external_id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'address',
      'birthday',
      'language',
    ]);
    expect(rows.map((r) => r.id)).not.toContain(victim);
    const stored = await t.db.query(
      `SELECT count(*)::int AS n FROM customer WHERE home_rooftop_id = $1 AND erased_at IS NULL`,
      [rooftopA],
    );
    expect(rows).toHaveLength(stored[0].n);
    expect(rows.find((r) => r.external_id === 'DMS-1')).toMatchObject({
      first_name: 'Dara',
      email: 'dara@example.com',
      phone: '+85512345678',
      address: '12 Street 271, Phnom Penh',
      birthday: '1988-04-13',
      language: 'km',
    });

    const before = await customers(rooftopA);
    const again = await importCsv(manager.token, csv);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      rowsProcessed: rows.length,
      created: 0,
      updated: 0,
      unchanged: rows.length,
      failed: 0,
    });
    expect(await customers(rooftopA)).toEqual(before);
  });
  it('exports UTF-8 with a BOM, neutralises cells a spreadsheet would run, and imports them back unchanged', async () => {
    const people = [
      { externalId: 'FX-1', firstName: "=cmd|' /C calc'!A0", lastName: '+1+1', phone: '+85512345601' },
      {
        externalId: 'FX-2',
        firstName: '@SUM(1,2)',
        lastName: '-2+3',
        address: '=HYPERLINK("http://x.example")',
      },
      { externalId: 'FX-3', firstName: 'សុខា', lastName: 'ວົງໄຊ', language: 'km' },
    ];
    for (const p of people) {
      const res = await t.http
        .post('/api/v1/customers')
        .set(bearer(manager.token))
        .send({ ...p, homeRooftopId: rooftopA });
      expect(res.status).toBe(201);
    }
    const res = await exportCsv(rooftopA);
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: Record<string, string>[] = parse(res.text, { columns: true, bom: true });
    const row = (id: string) => rows.find((r) => r.external_id === id)!;
    expect(row('FX-1')).toMatchObject({
      first_name: "'=cmd|' /C calc'!A0",
      last_name: "'+1+1",
      phone: '+85512345601',
    });
    expect(row('FX-2')).toMatchObject({
      first_name: "'@SUM(1,2)",
      last_name: "'-2+3",
      address: `'=HYPERLINK("http://x.example")`,
    });
    expect(row('FX-3')).toMatchObject({ first_name: 'សុខា', last_name: 'ວົງໄຊ' });
    // No cell of the file starts with a formula character, apart from plain numbers (phones).
    const cells = rows.flatMap((r) => Object.values(r));
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^[+-]?\d+$/.test(c))).toEqual([]);

    const before = await customers(rooftopA);
    const again = await importCsv(manager.token, res.text);
    expect(again.body).toMatchObject({ rowsProcessed: rows.length, created: 0, updated: 0, failed: 0 });
    expect(await customers(rooftopA)).toEqual(before);
    expect(
      await t.db.query(
        `SELECT first_name, last_name FROM customer WHERE external_id IN ('FX-1', 'FX-2') ORDER BY 1`,
      ),
    ).toEqual([
      { first_name: "=cmd|' /C calc'!A0", last_name: '+1+1' },
      { first_name: '@SUM(1,2)', last_name: '-2+3' },
    ]);
  });

  it('does not bring back an erased customer when an old DMS export is imported again', async () => {
    const csv = [
      'external_id,first_name,last_name,email',
      'DMS-ERASE-1,Srey,Mom,srey@example.com',
      'DMS-ERASE-2,Bopha,Lim,',
    ].join('\n');
    expect((await importCsv(manager.token, csv)).body).toMatchObject({ created: 2, failed: 0 });
    const [{ id }] = await t.db.query(`SELECT id FROM customer WHERE external_id = 'DMS-ERASE-1'`);
    expect((await t.http.post(`/api/v1/customers/${id}/erasure`).set(bearer(manager.token))).status).toBe(
      200,
    );
    // Only a hash of the DMS number is kept.
    const tombstones = await t.db.query(`SELECT external_id_hash FROM erased_external_id`);
    expect(JSON.stringify(tombstones)).not.toContain('DMS-ERASE-1');

    const again = await importCsv(manager.token, csv);
    expect(again.body).toMatchObject({ created: 0, unchanged: 1, failed: 1 });
    expect(again.body.errors).toEqual([
      {
        row: 2,
        field: 'external_id',
        message: 'this customer asked to be erased; the row is not imported again',
      },
    ]);
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM customer WHERE email = 'srey@example.com'`),
    ).toEqual([{ n: 0 }]);
  });
});

/**
 * The parser's messages quote the cell where it stopped (a customer's name): a refused file must leave no
 * trace of its content in the log. A real app process at debug level, its output captured to a file, as in
 * test/security/log-scan.e2e-spec.ts.
 */
describe('customer CSV import: the log of a refused file', () => {
  const NAME = 'Quorravenkel';
  let app: (Child & { baseUrl: string }) | undefined;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-csvlog-'));
  const logFile = path.join(dataDir, 'app.log');

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (app) await stopChild(app);
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds neither the name nor any cell of a malformed, binary or non-UTF-8 file', async () => {
    app = await startAppChild(
      {
        DATABASE_URL: db.url,
        PORT: String(await freePort()),
        JWT_SECRET: 'csv-log-secret-csv-log-secret-0123456789',
        JOBS_ENABLED: 'false',
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        ADMIN_EMAIL: 'admin@csvlog.example',
        ADMIN_PASSWORD: 'Csv-Log-Admin-Passw0rd!',
      },
      logFile,
    );
    const base = `${app.baseUrl}/api/v1`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@csvlog.example', password: 'Csv-Log-Admin-Passw0rd!' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const rooftop = await fetch(`${base}/rooftops`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'CSV Log Motors' }),
    });
    const { id: rooftopId } = (await rooftop.json()) as { id: string };
    const header = 'external_id,first_name,last_name\n';
    const files = [
      Buffer.from(`${header}DMS-1,${NAME}"x,Chan\n`),
      Buffer.from(`${header}DMS-2,${NAME}\u0000,Chan\n`),
      Buffer.concat([Buffer.from(`${header}DMS-3,${NAME}`), Buffer.from([0xe9, 0x2c, 0x0a])]),
      Buffer.from(`${header}"DMS-4,${NAME}\n`),
    ];
    for (const file of files) {
      const res = await fetch(`${base}/customers/import?rooftopId=${rooftopId}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: file,
      });
      expect(res.status).toBe(422);
    }
    await stopChild(app);
    app = undefined;
    const log = fs.readFileSync(logFile, 'utf8');
    // The refusals were logged (at debug level, with their request lines) …
    expect(log).toMatch(/"msg":"customer import refused"/);
    expect(log.match(/"route":"\/api\/v1\/customers\/import","status":422/g)).toHaveLength(files.length);
    // … without the cell the parser stopped at.
    expect(log.toLowerCase()).not.toContain(NAME.toLowerCase());
  }, 180_000);
});
