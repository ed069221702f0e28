import newman from 'newman';
import * as path from 'node:path';
import { startTestApp, TestApp } from './support/test-app';

/** The Postman collection shipped for salespeople is run with newman against a started app. */
describe('Postman walkthrough collection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-23T03:00:00Z' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('runs every request of the walkthrough successfully', async () => {
    const admin = await t.user('admin');
    const address = t.app.getHttpServer().address() as { port: number };
    const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) =>
      newman.run(
        {
          collection: path.resolve('test/postman/dealer-crm.postman_collection.json'),
          envVar: [
            { key: 'baseUrl', value: `http://127.0.0.1:${address.port}` },
            { key: 'email', value: admin.email },
            { key: 'password', value: admin.password },
          ],
          reporters: [],
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      ),
    );
    const failures = summary.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error.message}`);
    expect(failures).toEqual([]);
    expect(summary.run.stats.requests.total).toBeGreaterThanOrEqual(10);
    expect(summary.run.stats.assertions.failed).toBe(0);
  });
});
