import { EmailBouncingService } from '../src/customers/email-bouncing.service';
import { insertCustomer } from './support/messaging-fixtures';
import { startTestApp, type TestApp } from './support/test-app';

/** The bouncing mark is a customer column: customers write it, messaging reports 5xx answers here. */
describe('email bouncing mark (customers API for messaging)', () => {
  let t: TestApp;
  let rooftopId: string;

  beforeAll(async () => {
    t = await startTestApp();
    rooftopId = (await t.rooftop()).id;
  });
  afterAll(() => t.close());

  const bouncing = async (id: string) =>
    (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [id]))[0].email_bouncing;

  it('marks the addresses of the given customers bouncing, and only theirs', async () => {
    const a = await insertCustomer(t.db, rooftopId);
    const b = await insertCustomer(t.db, rooftopId);
    const c = await insertCustomer(t.db, rooftopId);
    await t.db.transaction((m) => t.app.get(EmailBouncingService).mark(m, [a, c]));
    expect([await bouncing(a), await bouncing(b), await bouncing(c)]).toEqual([true, false, true]);
  });
});
