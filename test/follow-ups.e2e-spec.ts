import { DomainEvents } from '../src/common/domain-events';
import { JobsService } from '../src/jobs/jobs.service';
import { fixtures } from './follow-ups-fixtures';
import { startTestApp, TestApp } from './support/test-app';

/** Rooftops are in Asia/Phnom_Penh (UTC+7): date-based moments fall at 09:00 local = 02:00 UTC. */
describe('follow-up cadences (job follow-ups)', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rooftopId: string;
  let managerId: string;
  let salesId: string;

  beforeAll(async () => {
    t = await startTestApp();
    f = fixtures(t);
    rooftopId = (await t.rooftop()).id;
    managerId = (await t.user('manager', [rooftopId])).id;
    salesId = (await t.user('salesperson', [rooftopId])).id;
  });
  afterAll(() => t.close());

  /** Day before → nothing; on the day → exactly one; a re-run → still one. */
  async function firesOnceOn(day: string, count: () => Promise<number>, before = 1) {
    const dayBefore = new Date(Date.parse(`${day}T03:00:00Z`) - before * 86_400_000).toISOString();
    await f.runFollowUps(dayBefore);
    expect(await count()).toBe(0);
    await f.runFollowUps(`${day}T03:00:00Z`);
    expect(await count()).toBe(1);
    await f.runFollowUps(`${day}T05:00:00Z`);
    expect(await count()).toBe(1);
  }

  it('sends the thank-you on day +1, the call task on +3, the sale survey on +7 and the check-in on +30, each once', async () => {
    const customer = await f.customer(rooftopId);
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: '2026-03-10', soldById: salesId });

    await firesOnceOn('2026-03-11', async () => (await f.outbox(customer, 'sale_thank_you')).length);
    const [thanks] = await f.outbox(customer, 'sale_thank_you');
    expect(thanks).toMatchObject({ purpose: 'follow_ups', dedupe_key: `fu:sale:${vehicle}:${customer}:+1d` });
    expect(thanks.scheduled_at.toISOString()).toBe('2026-03-11T02:00:00.000Z');
    expect(thanks.payload.vehicle).toMatchObject({ make: 'Toyota', model: 'Hilux' });

    await firesOnceOn('2026-03-13', async () => (await f.tasks(customer, 'call_after_sale')).length);
    expect((await f.tasks(customer, 'call_after_sale'))[0].assignee_id).toBe(salesId);

    await firesOnceOn('2026-03-17', async () => (await f.outbox(customer, 'survey_invitation')).length);
    const [invite] = await f.outbox(customer, 'survey_invitation');
    expect(invite.purpose).toBe('surveys');
    expect(invite.payload.surveyUrl).toMatch(/^https:\/\/crm\.test\/api\/v1\/surveys\/[\w-]+\.[\w-]+$/);
    const [survey] = await t.db.query(`SELECT * FROM survey WHERE customer_id = $1`, [customer]);
    expect(survey).toMatchObject({ kind: 'sale', salesperson_id: salesId, vehicle_id: vehicle });
    expect(survey.expires_at.getTime() - survey.issued_at.getTime()).toBe(30 * 86_400_000);

    await firesOnceOn('2026-04-09', async () => (await f.outbox(customer, 'sale_check_in')).length);
    expect((await f.outbox(customer, 'sale_check_in'))[0].purpose).toBe('follow_ups');
  });

  it('sends the purchase-anniversary email every year on the purchase date (29 February → 28 February)', async () => {
    const customer = await f.customer(rooftopId);
    await f.vehicle(rooftopId, customer, { purchaseDate: '2024-02-29', soldById: salesId });
    await firesOnceOn('2025-02-28', async () => (await f.outbox(customer, 'purchase_anniversary')).length);
    const [first] = await f.outbox(customer, 'purchase_anniversary');
    expect(first).toMatchObject({ purpose: 'marketing' });
    expect(first.payload.years).toBe(1);
    await f.runFollowUps('2026-02-28T03:00:00Z');
    const both = await f.outbox(customer, 'purchase_anniversary');
    expect(both.map((m) => m.payload.years)).toEqual([1, 2]);
  });

  it('plans the service survey two days after the visit’s date, at 09:00 local', async () => {
    const advisor = await t.user('service_advisor', [rooftopId]);
    const customer = await f.customer(rooftopId, { language: 'km' });
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: '2025-01-05' });
    const visit = await f.closedVisit(rooftopId, vehicle, customer, '2026-04-01T01:00:00Z', {
      advisorId: advisor.id,
    });
    await firesOnceOn('2026-04-03', async () => (await f.outbox(customer, 'survey_invitation')).length);
    const [survey] = await t.db.query(`SELECT * FROM survey WHERE customer_id = $1`, [customer]);
    expect(survey).toMatchObject({
      kind: 'service',
      service_visit_id: visit,
      advisor_id: advisor.id,
      language: 'km',
    });
    // Visit on 1 April 08:00 local → survey on 3 April 09:00 local (02:00 UTC), like the other date-based cadences.
    expect(survey.issued_at.toISOString()).toBe('2026-04-03T02:00:00.000Z');
  });

  it('cancels the pending service survey and closes its link when the visit is voided', async () => {
    const customer = await f.customer(rooftopId);
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: '2025-01-05' });
    const visit = await f.closedVisit(rooftopId, vehicle, customer, '2026-04-20T01:00:00Z');
    await f.runFollowUps('2026-04-22T03:00:00Z');
    await t.db.query(
      `UPDATE service_visit SET status = 'voided', voided_at = '2026-04-22T04:00:00Z' WHERE id = $1`,
      [visit],
    );
    await t.db.transaction((m) =>
      t.app.get(DomainEvents).emit(m, 'service_visit.voided', {
        visitId: visit,
        vehicleId: vehicle,
        customerId: customer,
        rooftopId,
        voidedAt: new Date('2026-04-22T04:00:00Z'),
      }),
    );
    const [mail] = await f.outbox(customer, 'survey_invitation');
    expect(mail).toMatchObject({ status: 'cancelled', status_reason: 'service_visit_voided' });
    const [survey] = await t.db.query(`SELECT expires_at FROM survey WHERE service_visit_id = $1`, [visit]);
    expect(survey.expires_at.toISOString()).toBe('2026-04-22T04:00:00.000Z');
  });

  it('sends the declined-service email 14 days after the visit, listing the declined items not done since', async () => {
    const customer = await f.customer(rooftopId);
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: '2025-01-05' });
    const visit = await f.closedVisit(rooftopId, vehicle, customer, '2026-05-01T03:00:00Z', {
      declined: [
        { description: 'Replace front brake pads', itemCode: 'BRAKE_INSPECTION', estimate: 120 },
        { description: 'Replace wiper blades', estimate: 25 },
        { description: 'Cabin air filter', itemCode: 'CABIN_AIR_FILTER', estimate: 30 },
      ],
    });
    await t.db.query(
      `INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer) VALUES ($1, 'CABIN_AIR_FILTER', '2026-05-05T03:00:00Z', 1100)`,
      [vehicle],
    );
    await firesOnceOn('2026-05-15', async () => (await f.outbox(customer, 'declined_service')).length);
    const [mail] = await f.outbox(customer, 'declined_service');
    expect(mail).toMatchObject({ purpose: 'service_reminders', dedupe_key: `fu:declined:${visit}:+14d` });
    expect(mail.payload.items.map((i: { description: string }) => i.description)).toEqual([
      'Replace front brake pads',
      'Replace wiper blades',
    ]);
    expect(mail.payload.currency).toBe('USD');
  });

  it('sends the end-of-term email and raises a salesperson task 180, 90 and 30 days before a lease ends', async () => {
    const customer = await f.customer(rooftopId, { salespersonId: salesId });
    await f.vehicle(rooftopId, customer, {
      purchaseDate: '2024-01-31',
      purchaseType: 'lease',
      termEndDate: '2027-01-31',
    });
    for (const [day, n] of [
      ['2026-08-04', 1],
      ['2026-11-02', 2],
      ['2027-01-01', 3],
    ] as const) {
      await f.runFollowUps(new Date(Date.parse(`${day}T03:00:00Z`) - 86_400_000).toISOString());
      expect((await f.outbox(customer, 'term_end')).length).toBe(n - 1);
      await f.runFollowUps(`${day}T03:00:00Z`);
      await f.runFollowUps(`${day}T04:00:00Z`);
      expect((await f.outbox(customer, 'term_end')).length).toBe(n);
      expect((await f.tasks(customer, 'lease_end')).length).toBe(n);
    }
    const mails = await f.outbox(customer, 'term_end');
    expect(mails.map((m) => m.payload.daysBefore)).toEqual([180, 90, 30]);
    expect(mails.every((m) => m.purpose === 'marketing')).toBe(true);
    expect((await f.tasks(customer, 'lease_end')).every((task) => task.assignee_id === salesId)).toBe(true);
  });

  it('sends the warranty-expiring email 60 days before the warranty end date, once', async () => {
    const customer = await f.customer(rooftopId);
    await f.vehicle(rooftopId, customer, { purchaseDate: null, warrantyEndDate: '2026-09-30' });
    await firesOnceOn('2026-08-01', async () => (await f.outbox(customer, 'warranty_expiring')).length);
    expect((await f.outbox(customer, 'warranty_expiring'))[0].purpose).toBe('service_reminders');
    await f.runFollowUps('2026-09-15T03:00:00Z');
    expect((await f.outbox(customer, 'warranty_expiring')).length).toBe(1);
  });

  it('sends the warranty-expiring email when the projected odometer comes within 2,000 km of the warranty distance', async () => {
    const customer = await f.customer(rooftopId);
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: null, warrantyEndDistance: 50_000 });
    // 6,000 km in 60 days → 100 km/day from 46,000 on 2 March: 48,000 is reached on 22 March.
    await f.reading(vehicle, 40_000, '2026-01-01T03:00:00Z');
    await f.reading(vehicle, 46_000, '2026-03-02T03:00:00Z');
    await firesOnceOn('2026-03-22', async () => (await f.outbox(customer, 'warranty_expiring')).length);
    expect((await f.outbox(customer, 'warranty_expiring'))[0].payload).toMatchObject({
      warrantyEndDistance: 50_000,
      projectedOdometer: 48_000,
    });
  });

  it('sends the birthday email on the day in the rooftop’s time zone, once a year', async () => {
    const customer = await f.customer(rooftopId, { birthday: '1990-07-20' });
    await firesOnceOn('2026-07-20', async () => (await f.outbox(customer, 'birthday')).length);
    const [mail] = await f.outbox(customer, 'birthday');
    expect(mail).toMatchObject({ purpose: 'marketing', dedupe_key: `fu:birthday:${customer}:2026` });
    // 09:00 in Phnom Penh is 02:00 UTC.
    expect(mail.scheduled_at.toISOString()).toBe('2026-07-20T02:00:00.000Z');
  });

  it('sends a win-back email and task after 12 months without a visit, and at most once a year', async () => {
    const customer = await f.customer(rooftopId);
    const vehicle = await f.vehicle(rooftopId, customer, { purchaseDate: '2024-03-01' });
    await f.closedVisit(rooftopId, vehicle, customer, '2025-05-10T03:00:00Z');
    await firesOnceOn('2026-05-10', async () => (await f.outbox(customer, 'win_back')).length);
    const [task] = await f.tasks(customer, 'win_back');
    expect(task.assignee_id).toBe(managerId);
    await f.runFollowUps('2026-11-10T03:00:00Z');
    expect((await f.outbox(customer, 'win_back')).length).toBe(1);
    await f.runFollowUps('2027-05-10T03:00:00Z');
    expect((await f.outbox(customer, 'win_back')).length).toBe(2);
    expect((await f.tasks(customer, 'win_back')).length).toBe(2);
  });

  it('assigns a cadence task to the rooftop manager when the sale has no salesperson', async () => {
    const customer = await f.customer(rooftopId);
    await f.vehicle(rooftopId, customer, { purchaseDate: '2026-06-01', soldById: null });
    await f.runFollowUps('2026-06-04T03:00:00Z');
    const [task] = await f.tasks(customer, 'call_after_sale');
    expect(task.assignee_id).toBe(managerId);
  });

  it('does not replay sales older than the lookback window on a first run', async () => {
    const customer = await f.customer(rooftopId);
    await f.vehicle(rooftopId, customer, { purchaseDate: '2026-05-01' });
    await f.runFollowUps('2026-06-20T03:00:00Z');
    expect(await f.outbox(customer, 'sale_thank_you')).toHaveLength(0);
    expect(await f.outbox(customer, 'sale_check_in')).toHaveLength(0);
    // A missed day is caught up: the run two days late still sends the +1 day email.
    const late = await f.customer(rooftopId);
    await f.vehicle(rooftopId, late, { purchaseDate: '2026-06-17' });
    await f.runFollowUps('2026-06-20T03:00:00Z');
    expect(await f.outbox(late, 'sale_thank_you')).toHaveLength(1);
  });

  it('follows the rooftop’s followUps settings (offsets and on/off)', async () => {
    const other = await t.rooftop({
      settings: { followUps: { saleThankYou: { offsetDays: 2 }, saleCheckIn: { enabled: false } } },
    });
    const customer = await f.customer(other.id);
    await f.vehicle(other.id, customer, { purchaseDate: '2026-08-10' });
    await firesOnceOn('2026-08-12', async () => (await f.outbox(customer, 'sale_thank_you')).length);
    await f.runFollowUps('2026-09-09T03:00:00Z');
    expect(await f.outbox(customer, 'sale_check_in')).toHaveLength(0);
  });

  it('keeps a follow-up of a customer who withdrew consent from reaching them', async () => {
    const customer = await f.customer(rooftopId);
    await f.vehicle(rooftopId, customer, { purchaseDate: '2026-10-01' });
    await t.db.query(
      `INSERT INTO consent (customer_id, purpose, granted, at, source) VALUES ($1, 'follow_ups', false, '2026-09-01T00:00:00Z', 'test')`,
      [customer],
    );
    await f.runFollowUps('2026-10-02T03:00:00Z');
    const [mail] = await f.outbox(customer, 'sale_thank_you');
    expect(mail.purpose).toBe('follow_ups');
    // The dispatcher (messaging) applies the consent rule when it picks the message up.
    await t.app.get(JobsService).run('outbox-dispatch', new Date('2026-10-02T03:00:00Z'));
    const [after] = await f.outbox(customer, 'sale_thank_you');
    expect(after.status).toBe('suppressed');
    expect(after.status_reason).toBe('no_consent:follow_ups');
  });
});
