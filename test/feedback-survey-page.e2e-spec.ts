import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/browser';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { fixtures } from './follow-ups-fixtures';
import { startTestApp, TestApp } from './support/test-app';

describeInBrowser('survey page in a real browser (headless Chromium)', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;
  let context: BrowserContext;
  let profile: string;
  let baseUrl: string;
  let rooftopId: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    f = fixtures(t);
    rooftopId = (await t.rooftop({ name: 'Vientiane Auto' })).id;
    await t.user('manager', [rooftopId]);
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  /** Plans a real invitation through the follow-ups job and returns the link's path. */
  async function invitationPath(language: string): Promise<{ customer: string; path: string }> {
    const customer = await f.customer(rooftopId, { language });
    await f.vehicle(rooftopId, customer, { purchaseDate: '2026-06-08' });
    await f.runFollowUps('2026-06-15T03:00:00Z');
    const [mail] = await f.outbox(customer, 'survey_invitation');
    return { customer, path: new URL(mail.payload.surveyUrl as string).pathname };
  }

  for (const [language, thanks, npsLabel] of [
    ['en', 'Thank you for your feedback!', 'How likely are you to recommend Vientiane Auto'],
    ['lo', 'ຂອບໃຈສຳລັບຄຳຕິຊົມຂອງທ່ານ!', 'ທ່ານມີແນວໂນ້ມຈະແນະນຳ Vientiane Auto'],
    ['km', 'សូមអរគុណចំពោះមតិរបស់អ្នក!', 'តើអ្នកទំនងជាណែនាំ Vientiane Auto'],
  ] as const) {
    it(`answers the survey in ${language}: pick NPS and CSAT, submit, see the thank-you; the answer is stored`, async () => {
      const { customer, path: link } = await invitationPath(language);
      const page = await context.newPage();
      const response = await page.goto(`${baseUrl}${link}`);
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe(language);
      expect(await page.textContent('form')).toContain(npsLabel);
      await page.check('input[name="nps"][value="9"]');
      await page.check('input[name="csat"][value="4"]');
      await page.fill('textarea[name="comment"]', `Good (${language})`);
      await Promise.all([page.waitForURL(`${baseUrl}${link}`), page.click('button[type="submit"]')]);
      expect((await page.textContent('#outcome'))?.trim()).toBe(thanks);
      await page.close();

      const [row] = await t.db.query(
        `SELECT nps, csat, comment, answered_at FROM survey WHERE customer_id = $1`,
        [customer],
      );
      expect(row).toMatchObject({ nps: 9, csat: 4, comment: `Good (${language})` });
      expect(row.answered_at).not.toBeNull();
    });
  }

  it('shows the already-answered page when the link is opened again', async () => {
    const { path: link } = await invitationPath('en');
    const page = await context.newPage();
    await page.goto(`${baseUrl}${link}`);
    await page.check('input[name="nps"][value="3"]');
    await page.check('input[name="csat"][value="1"]');
    await Promise.all([page.waitForURL(`${baseUrl}${link}`), page.click('button[type="submit"]')]);
    await page.goto(`${baseUrl}${link}`);
    expect(await page.getAttribute('#outcome', 'data-outcome')).toBe('answered');
    await page.close();
  });
});
