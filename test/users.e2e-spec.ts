import { UsersService } from '../src/users/users.service';
import { bearer, startTestApp, TestApp } from './support/test-app';

describe('users (admin)', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.user('admin');
  });
  afterAll(() => t.close());

  it('creates a user with an argon2id hash (m ≥ 19 MiB, t ≥ 2) and never returns it', async () => {
    const rooftop = await t.rooftop();
    const res = await t.http
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({
        email: 'Sok.Dara@ppmotors.example',
        name: 'Sok Dara',
        role: 'salesperson',
        password: 'a-long-initial-password',
        rooftopIds: [rooftop.id],
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'salesperson', rooftopIds: [rooftop.id], active: true });
    expect(JSON.stringify(res.body)).not.toMatch(/argon|password/i);
    const [{ password_hash }] = await t.db.query(`SELECT password_hash FROM app_user WHERE id = $1`, [
      res.body.id,
    ]);
    const [, algorithm, , params] = password_hash.split('$');
    expect(algorithm).toBe('argon2id');
    const parsed = Object.fromEntries(params.split(',').map((kv: string) => kv.split('=')));
    expect(Number(parsed.m)).toBeGreaterThanOrEqual(19 * 1024);
    expect(Number(parsed.t)).toBeGreaterThanOrEqual(2);
  });

  it('refuses a duplicate email (case-insensitive) with 409', async () => {
    const body = {
      email: 'dup@staff.test',
      name: 'A',
      role: 'manager',
      password: 'a-long-initial-password',
      rooftopIds: [],
    };
    expect((await t.http.post('/api/v1/users').set(bearer(admin.token)).send(body)).status).toBe(201);
    const again = await t.http
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ ...body, email: 'DUP@staff.test' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email_taken');
  });

  it('names bad fields and writes nothing', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM app_user`);
    const res = await t.http
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({
        email: 'not-an-email',
        name: 'X',
        role: 'owner',
        password: 'short',
        rooftopIds: ['nope'],
        extra: true,
      });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'email',
      'extra',
      'password',
      'role',
      'rooftopIds',
    ]);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM app_user`)).toEqual(before);
  });

  it('answers 422 for an unknown rooftop and writes nothing', async () => {
    const res = await t.http
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({
        email: 'ghost@staff.test',
        name: 'G',
        role: 'manager',
        password: 'a-long-initial-password',
        rooftopIds: ['7f0c1c36-0000-4000-8000-000000000000'],
      });
    expect(res.status).toBe(422);
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM app_user WHERE email = 'ghost@staff.test'`),
    ).toEqual([{ n: 0 }]);
  });

  it('deactivating a user stops their token at once and is audited without values', async () => {
    const sales = await t.user('salesperson');
    expect((await t.http.get('/api/v1/auth/me').set(bearer(sales.token))).status).toBe(200);
    expect((await t.http.delete(`/api/v1/users/${sales.id}`).set(bearer(admin.token))).status).toBe(200);
    expect((await t.http.get('/api/v1/auth/me').set(bearer(sales.token))).status).toBe(401);
    const audit = await t.db.query(
      `SELECT actor_id, action, fields FROM audit_log WHERE entity_id = $1 AND action = 'user.updated'`,
      [sales.id],
    );
    expect(audit).toEqual([{ actor_id: admin.id, action: 'user.updated', fields: ['active'] }]);
  });

  it('PATCH needs If-Match with the current version (428 without, 412 when stale) and answers with the new ETag', async () => {
    const rooftop = await t.rooftop();
    const user = await t.user('salesperson');
    const read = await t.http.get(`/api/v1/users/${user.id}`).set(bearer(admin.token));
    expect(read.headers.etag).toBe('"1"');

    const missing = await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(admin.token))
      .send({ name: 'Renamed' });
    expect(missing.status).toBe(428);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);

    const first = await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(admin.token))
      .set('If-Match', '"1"')
      .send({ name: 'Renamed' });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    expect(first.body).toMatchObject({ name: 'Renamed', version: 2 });

    // A second admin still holding version 1 would overwrite the rename: refused, nothing written.
    const stale = await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(admin.token))
      .set('If-Match', '"1"')
      .send({ role: 'manager' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'stale_version', currentVersion: 2 });
    expect(await t.db.query(`SELECT role, name, version FROM app_user WHERE id = $1`, [user.id])).toEqual([
      { role: 'salesperson', name: 'Renamed', version: 2 },
    ]);

    // Granting a rooftop changes only the join table, and still moves the version on.
    const granted = await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(admin.token))
      .set('If-Match', 'W/"2"')
      .send({ rooftopIds: [rooftop.id] });
    expect(granted.status).toBe(200);
    expect(granted.headers.etag).toBe('"3"');
    expect(granted.body).toMatchObject({ rooftopIds: [rooftop.id], version: 3 });
    expect((await t.http.get(`/api/v1/users/${user.id}`).set(bearer(admin.token))).headers.etag).toBe('"3"');
  });

  it('creates with an ETag, and deactivation needs no If-Match', async () => {
    const created = await t.http.post('/api/v1/users').set(bearer(admin.token)).send({
      email: 'etag@staff.test',
      name: 'E Tag',
      role: 'manager',
      password: 'a-long-initial-password',
      rooftopIds: [],
    });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    const gone = await t.http.delete(`/api/v1/users/${created.body.id}`).set(bearer(admin.token));
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ active: false, version: 2 });
    expect(gone.headers.etag).toBe('"2"');
  });

  it('is admin-only', async () => {
    const manager = await t.user('manager');
    expect((await t.http.get('/api/v1/users').set(bearer(manager.token))).status).toBe(403);
  });

  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD once', async () => {
    const users = t.app.get(UsersService);
    expect(await users.ensureFirstAdmin('boss@dealer.example', 'a-long-boss-password', false)).toEqual({
      email: 'boss@dealer.example',
    });
    expect(await users.ensureFirstAdmin('boss@dealer.example', 'a-long-boss-password', false)).toBeNull();
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'boss@dealer.example', password: 'a-long-boss-password' });
    expect(login.status).toBe(200);
  });
});
