import { bearer, startTestApp, TestApp } from './support/test-app';
import { createVehicle } from './support/vehicle-fixtures';

describe('odometer guard in miles (DISTANCE_UNIT=mi)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { DISTANCE_UNIT: 'mi' } });
  });
  afterAll(() => t.close());

  it('allows 1,243 mi a day and refuses one more, naming the unit', async () => {
    const rooftop = await t.rooftop();
    const user = await t.user('service_advisor', [rooftop.id]);
    const { id } = await createVehicle(t, user.token, { rooftopId: rooftop.id });
    const post = (value: number, readAt: string) =>
      t.http.post(`/api/v1/vehicles/${id}/odometer-readings`).set(bearer(user.token)).send({ value, readAt });
    expect((await post(1000, '2026-06-01T00:00:00Z')).status).toBe(201);
    const jump = await post(1000 + 2 * 1243 + 1, '2026-06-03T00:00:00Z');
    expect(jump.status).toBe(422);
    expect(jump.body.detail).toContain('1,243 mi a day');
    expect((await post(1000 + 2 * 1243, '2026-06-03T00:00:00Z')).status).toBe(201);
  });
});
