import { LinkSigner } from '../src/common/link-signer';
import { fixtures } from './follow-ups-fixtures';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/**
 * SPEC "Feedback and complaints" at its edges: promoter 9–10, passive 7–8, detractor 0–6; a detractor OR a
 * CSAT of 1–2 opens a complaint case. Each case sits on one side of a boundary, so moving a boundary by one
 * (NPS ≤ 6 → ≤ 5, ≥ 9 → ≥ 8, CSAT ≤ 2 → ≤ 1) or dropping either half of the OR fails a case here.
 */
describe('feedback: the complaint rule and the NPS categories at their boundaries', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let rooftopId: string;
  let manager: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    f = fixtures(t);
    rooftopId = (await t.rooftop({ name: 'Phnom Penh Motors', timeZone: 'Asia/Phnom_Penh' })).id;
    manager = await t.user('manager', [rooftopId]);
  });
  afterAll(() => t.close());

  /** A survey invitation as the planner writes it (issued yesterday), and its signed token. */
  async function invitation(rooftop: string) {
    const customerId = await f.customer(rooftop);
    const [row] = await t.db.query(
      `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, language, issued_at, expires_at)
       VALUES ('sale', $1, $2, $3, 'en', '2026-06-14T03:00:00Z', '2026-07-14T03:00:00Z') RETURNING id`,
      [rooftop, customerId, `boundary:${Math.random()}`],
    );
    return {
      id: row.id as string,
      customerId,
      token: t.app.get(LinkSigner).sign('survey', { s: row.id, c: customerId }),
    };
  }
  const answer = (token: string, nps: number, csat: number) =>
    t.http.post(`/api/v1/surveys/${token}`).send({ nps, csat });

  it.each([
    { nps: 6, csat: 5, category: 'detractor', opens: true, why: 'a detractor opens one however satisfied' },
    { nps: 6, csat: 4, category: 'detractor', opens: true, why: 'a detractor with CSAT 4' },
    { nps: 6, csat: 3, category: 'detractor', opens: true, why: 'a detractor with CSAT 3' },
    { nps: 0, csat: 5, category: 'detractor', opens: true, why: 'the lowest NPS with the best CSAT' },
    { nps: 7, csat: 3, category: 'passive', opens: false, why: 'NPS 7 is passive, CSAT 3 is not low' },
    { nps: 7, csat: 2, category: 'passive', opens: true, why: 'a passive with CSAT 2' },
    { nps: 8, csat: 3, category: 'passive', opens: false, why: 'NPS 8 is passive, CSAT 3 is not low' },
    { nps: 9, csat: 3, category: 'promoter', opens: false, why: 'NPS 9 is a promoter, CSAT 3 is not low' },
    { nps: 9, csat: 2, category: 'promoter', opens: true, why: 'a promoter with CSAT 2' },
    { nps: 10, csat: 1, category: 'promoter', opens: true, why: 'a promoter with CSAT 1' },
  ])(
    'NPS $nps with CSAT $csat is a $category and opens a complaint: $opens ($why)',
    async ({ nps, csat, category, opens }) => {
      const s = await invitation(rooftopId);
      const res = await answer(s.token, nps, csat);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ surveyId: s.id, category, complaintOpened: opens });
      const cases = await t.db.query(
        `SELECT source, state, owner_id, customer_id, summary FROM complaint_case WHERE survey_id = $1`,
        [s.id],
      );
      expect(cases).toEqual(
        opens
          ? [
              {
                source: 'survey',
                state: 'open',
                owner_id: manager.id,
                customer_id: s.customerId,
                summary: `Unhappy sale survey answer (NPS ${nps}, CSAT ${csat})`,
              },
            ]
          : [],
      );
      const [note] = await t.db.query(`SELECT summary FROM interaction WHERE customer_id = $1`, [
        s.customerId,
      ]);
      expect(note.summary).toContain(`NPS ${nps} (${category}), CSAT ${csat}`);
    },
  );

  it('counts NPS 9 as a promoter, 7–8 as passives and 6 as a detractor in the feedback summary, its filter and the analytics', async () => {
    const r = (await t.rooftop({ timeZone: 'Asia/Phnom_Penh' })).id;
    const m = await t.user('manager', [r]);
    // Only the boundary scores: promoters 9, 9; passives 8, 7; detractor 6 → NPS (2 − 1) / 5 = 20.
    for (const nps of [9, 9, 8, 7, 6]) {
      const s = await invitation(r);
      expect((await answer(s.token, nps, 4)).status).toBe(200);
    }
    const counts = { promoters: 2, passives: 2, detractors: 1, nps: 20 };

    const summary = await t.http.get(`/api/v1/feedback/summary?rooftopId=${r}`).set(bearer(m.token));
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ invited: 5, responses: 5, ...counts });

    const byCategory = async (category: string) => {
      const res = await t.http
        .get(`/api/v1/feedback?rooftopId=${r}&category=${category}`)
        .set(bearer(m.token));
      expect(res.status).toBe(200);
      return res.body.items.map((i: { nps: number; category: string }) => [i.nps, i.category]).sort();
    };
    expect(await byCategory('promoter')).toEqual([
      [9, 'promoter'],
      [9, 'promoter'],
    ]);
    expect(await byCategory('passive')).toEqual([
      [7, 'passive'],
      [8, 'passive'],
    ]);
    expect(await byCategory('detractor')).toEqual([[6, 'detractor']]);

    const period = `rooftopId=${r}&from=2026-06-01&to=2026-07-01`;
    const analytics = await t.http.get(`/api/v1/analytics/summary?${period}`).set(bearer(m.token));
    expect(analytics.status).toBe(200);
    expect(analytics.body.feedback).toMatchObject({ invited: 5, answered: 5, ...counts });
    const breakdown = await t.http.get(`/api/v1/analytics/feedback?${period}`).set(bearer(m.token));
    expect(breakdown.status).toBe(200);
    expect(breakdown.body.items).toEqual([expect.objectContaining({ key: r, answered: 5, ...counts })]);
  });
});
