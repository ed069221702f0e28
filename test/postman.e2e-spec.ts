import newman from 'newman';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { seedDemoData } from '../src/demo-seed/demo-seed';
import { checkVin } from '../src/vehicles/vin';
import { startTestApp, TestApp } from './support/test-app';

const COLLECTION = path.resolve('test/postman/dealer-crm.postman_collection.json');
const PASSWORD = 'Mekong-ferry-lantern-2026!';

interface Run {
  failures: string[];
  requests: number;
  assertions: number;
  failedAssertions: number;
}

/**
 * The Postman collection shipped for API users is run with newman against a started app, several times on the
 * same database: a walkthrough must not depend on running first, nor on what else the dealer has stored.
 */
describe('Postman walkthrough collection', () => {
  let t: TestApp;
  let admin: { email: string; password: string };
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-23T03:00:00Z' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
    admin = await t.user('admin', [], { password: PASSWORD });
  });
  afterAll(() => t.close());

  async function runCollection(): Promise<Run> {
    const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) =>
      newman.run(
        {
          collection: COLLECTION,
          envVar: [
            { key: 'baseUrl', value: baseUrl },
            { key: 'email', value: admin.email },
            { key: 'password', value: admin.password },
          ],
          reporters: [],
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      ),
    );
    return {
      failures: summary.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error.message}`),
      requests: summary.run.stats.requests.total ?? 0,
      assertions: summary.run.stats.assertions.total ?? 0,
      failedAssertions: summary.run.stats.assertions.failed ?? 0,
    };
  }

  function expectGreen(run: Run) {
    expect(run.failures).toEqual([]);
    expect(run.failedAssertions).toBe(0);
    expect(run.requests).toBeGreaterThanOrEqual(10);
    expect(run.assertions).toBeGreaterThanOrEqual(run.requests);
  }

  it('passes twice in a row on the same database, each run with its own VIN, email and external id', async () => {
    const first = await runCollection();
    expectGreen(first);
    const second = await runCollection();
    expectGreen(second);

    // Each run made its own rooftop, customer and vehicle: the VIN with a valid North-American check digit
    // (the API refuses a wrong one), the email and the external id all differ between the runs.
    const made: { vin: string; email: string; external_id: string }[] = await t.db.query(
      `SELECT v.vin, c.email, c.external_id
         FROM rooftop r JOIN customer c ON c.home_rooftop_id = r.id JOIN vehicle v ON v.owner_id = c.id
        WHERE r.name LIKE 'Phnom Penh Motors (walkthrough %'`,
    );
    expect(made).toHaveLength(2);
    for (const row of made) {
      expect(checkVin(row.vin)).toEqual({ vin: row.vin, errors: [], warnings: [] });
      expect(row.vin[0]).toMatch(/[1-5]/);
    }
    for (const key of ['vin', 'email', 'external_id'] as const) {
      expect(made[0][key]).not.toBe(made[1][key]);
    }
  }, 120_000);

  it("makes a fresh, valid VIN and unique values on every run (the login's pre-request script, 500 draws)", () => {
    const collection = JSON.parse(fs.readFileSync(COLLECTION, 'utf8')) as {
      item: { name: string; event?: { listen: string; script: { exec: string[] } }[] }[];
    };
    const login = collection.item.find((i) => i.name === 'Log in');
    const script = login?.event?.find((e) => e.listen === 'prerequest')?.script.exec.join('\n');
    expect(script).toBeDefined();
    const compiled = new vm.Script(script as string);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const vars: Record<string, string> = {};
      compiled.runInNewContext({
        pm: { collectionVariables: { set: (k: string, v: string) => (vars[k] = v) } },
      });
      expect(checkVin(vars.vin)).toEqual({ vin: vars.vin, errors: [], warnings: [] });
      expect(vars.vin).toMatch(/^[1-5]/);
      expect(vars.customerPhone).toMatch(/^\+85512[1-9]\d{5}$/);
      for (const key of ['vin', 'runTag', 'customerEmail', 'externalId', 'roNumber']) {
        expect(seen.has(vars[key])).toBe(false);
        seen.add(vars[key]);
      }
    }
  });

  it('passes on a seeded database full of other customers named Sokha', async () => {
    const [{ id: rooftop }]: { id: string }[] = await t.db.query(`SELECT id FROM rooftop LIMIT 1`);
    // More namesakes than one page of a search: a walkthrough that counted or paged "Sokha" would miss its own.
    for (let i = 0; i < 60; i++) {
      await t.db.query(
        `INSERT INTO customer (id, home_rooftop_id, first_name, last_name, email, phone)
         VALUES ($1, $2, 'Sokha', 'Chan', $3, $4)`,
        [randomUUID(), rooftop, `sokha.chan.${i}@example.com`, `+8551234${String(i).padStart(4, '0')}`],
      );
    }
    const seeded = await seedDemoData(t.db, { asOf: t.clock.now(), customers: 120 });
    expect(seeded.seeded).toBe(true);
    const sokhas: { count: number }[] = await t.db.query(
      `SELECT count(*)::int AS count FROM customer WHERE first_name = 'Sokha'`,
    );
    expect(sokhas[0].count).toBeGreaterThan(60);

    expectGreen(await runCollection());
  }, 180_000);
});
