import { JobsService } from '../src/jobs/jobs.service';
import { fixtures } from './follow-ups-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

const AS_OF = '2026-06-15T03:00:00Z';

/**
 * Tasks raised by the system are read by their assignee: the title is in the assignee's language (their
 * user profile), not the customer's.
 */
describe('task titles follow the assignee’s language', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rooftopId: string;
  const staff: Record<string, { id: string; token: string }> = {};

  const titles = async (type: string): Promise<Record<string, string[]>> => {
    const rows: { assignee_id: string; title: string }[] = await t.db.query(
      `SELECT assignee_id, title FROM task WHERE type = $1`,
      [type],
    );
    const byName: Record<string, string[]> = {};
    for (const [name, u] of Object.entries(staff))
      for (const r of rows) if (r.assignee_id === u.id) (byName[name] ??= []).push(r.title);
    for (const list of Object.values(byName)) list.sort();
    return byName;
  };

  beforeAll(async () => {
    t = await startTestApp({ now: AS_OF });
    f = fixtures(t);
    rooftopId = (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id;
    for (const [name, role, language] of [
      ['managerKm', 'manager', 'km'],
      ['managerEn', 'manager', 'en'],
      ['managerLo', 'manager', 'lo'],
      ['salesKm', 'salesperson', 'km'],
      ['salesEn', 'salesperson', 'en'],
      ['salesLo', 'salesperson', 'lo'],
    ] as const) {
      staff[name] = await t.user(role, [rooftopId]);
      await t.db.query(`UPDATE app_user SET language = $2 WHERE id = $1`, [staff[name].id, language]);
    }
  });
  afterAll(() => t.close());

  it('writes the cadence tasks (call after sale, lease and finance end, win-back) in the salesperson’s language', async () => {
    // An English-speaking customer sold by a Khmer-speaking salesperson three days ago.
    const buyer = await f.customer(rooftopId, { language: 'en', salespersonId: staff.salesKm.id });
    await f.vehicle(rooftopId, buyer, { purchaseDate: '2026-06-12', soldById: staff.salesKm.id });
    // A Khmer-speaking customer of an English-speaking salesperson: lease ends in 30 days.
    const lessee = await f.customer(rooftopId, { language: 'km', salespersonId: staff.salesEn.id });
    await f.vehicle(rooftopId, lessee, {
      purchaseDate: null,
      purchaseType: 'lease',
      termEndDate: '2026-07-15',
    });
    // Lao-speaking salesperson: a finance contract ending in 30 days, and a customer not seen for 12 months.
    const borrower = await f.customer(rooftopId, { language: 'en', salespersonId: staff.salesLo.id });
    await f.vehicle(rooftopId, borrower, {
      purchaseDate: null,
      purchaseType: 'finance',
      termEndDate: '2026-07-15',
    });
    const lapsed = await f.customer(rooftopId, { language: 'en', salespersonId: staff.salesLo.id });
    await f.vehicle(rooftopId, lapsed, { purchaseDate: '2025-06-15' });

    await f.runFollowUps(AS_OF);

    expect(await titles('call_after_sale')).toEqual({
      salesKm: ['ទូរស័ព្ទទៅអតិថិជនក្រោយការលក់៖ 2026 Toyota Hilux'],
    });
    expect(await titles('lease_end')).toEqual({
      salesEn: ['Lease ends 2026-07-15: 2026 Toyota Hilux'],
      salesLo: ['ສັນຍາຜ່ອນຊຳລະສິ້ນສຸດວັນທີ 2026-07-15: 2026 Toyota Hilux'],
    });
    expect(await titles('win_back')).toEqual({
      salesLo: ['ດຶງລູກຄ້າໃຫ້ກັບມາ: ບໍ່ໄດ້ມາຕັ້ງແຕ່ 2025-06-15'],
    });

    const mine = await t.http.get('/api/v1/tasks').set(bearer(staff.salesKm.token));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((x: { title: string }) => x.title)).toEqual([
      'ទូរស័ព្ទទៅអតិថិជនក្រោយការលក់៖ 2026 Toyota Hilux',
    ]);
  });

  it('writes each manager’s complaint-breach task in that manager’s language', async () => {
    const customer = await f.customer(rooftopId, { language: 'km' });
    await t.db.query(
      `INSERT INTO complaint_case (rooftop_id, customer_id, source, severity, summary, opened_at, first_response_due_at, resolution_due_at)
       VALUES ($1, $2, 'call', 'high', 'Noise after service', '2026-06-05T03:00:00Z', '2026-06-06T03:00:00Z', '2026-06-12T03:00:00Z')`,
      [rooftopId, customer],
    );
    await t.app.get(JobsService).run('complaint-sla', new Date(AS_OF));

    expect(await titles('complaint_breach')).toEqual({
      managerEn: ['Complaint not answered within 24 hours', 'Complaint not resolved within 7 days'],
      managerKm: ['បណ្តឹងមិនទាន់បានឆ្លើយតបក្នុងរយៈពេល 24 ម៉ោង', 'បណ្តឹងមិនទាន់បានដោះស្រាយក្នុងរយៈពេល 7 ថ្ងៃ'],
      managerLo: ['ຄຳຮ້ອງທຸກບໍ່ໄດ້ຮັບການຕອບພາຍໃນ 24 ຊົ່ວໂມງ', 'ຄຳຮ້ອງທຸກບໍ່ໄດ້ຮັບການແກ້ໄຂພາຍໃນ 7 ມື້'],
    });
  });
});
