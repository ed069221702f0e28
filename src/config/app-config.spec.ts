import { availableParallelism } from 'node:os';
import { ConfigError, defaultPoolSize, loadConfig } from './app-config';

describe('settings', () => {
  it('has defaults that make a fresh machine work', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DISTANCE_UNIT).toBe('km');
    expect(config.DEFAULT_LANGUAGE).toBe('en');
    expect(config.JOBS_ENABLED).toBe(true);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.DB_POOL_SIZE).toBe(defaultPoolSize(availableParallelism()));
    expect(loadConfig({ DB_POOL_SIZE: '7' }).DB_POOL_SIZE).toBe(7);
  });

  it('sizes the database pool from the cores: 2 per core and one more, between 5 and 10', () => {
    expect([1, 2, 3, 4, 5, 64].map((cores) => defaultPoolSize(cores))).toEqual([5, 5, 7, 9, 10, 10]);
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', DISTANCE_UNIT: 'furlong', SMTP_URL: 'not a url' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'eighty', DISTANCE_UNIT: 'furlong', SMTP_URL: 'not a url' });
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DISTANCE_UNIT');
      expect(message).toContain('SMTP_URL');
    }
  });

  it('parses booleans and refuses a short JWT secret', () => {
    expect(loadConfig({ JOBS_ENABLED: 'false' }).JOBS_ENABLED).toBe(false);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ JOBS_ENABLED: 'maybe' })).toThrow(/JOBS_ENABLED/);
  });

  it('requires ADMIN_PASSWORD with ADMIN_EMAIL', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'boss@dealer.example' })).toThrow(/ADMIN_PASSWORD/);
  });
});
