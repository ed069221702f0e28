import { extensionThreshold, searchExtension, SEARCH_WINDOW } from './customer-search-window';

describe('customer search window', () => {
  it('walks on past the window only in a large table, further as it grows, up to 30,000 rows', () => {
    expect(SEARCH_WINDOW).toBe(10_000);
    expect(searchExtension(0)).toBe(0);
    expect(searchExtension(100_000)).toBe(0);
    expect(searchExtension(249_999)).toBe(0);
    expect(searchExtension(250_000)).toBe(8_000); // 7,500 rounded to thousands
    expect(searchExtension(500_000)).toBe(15_000);
    expect(searchExtension(1_000_000)).toBe(30_000);
    expect(searchExtension(5_000_000)).toBe(30_000);
    // pg_class.reltuples is -1 for a table never vacuumed or analysed.
    expect(searchExtension(-1)).toBe(0);
    expect(searchExtension(Number.NaN)).toBe(0);
  });

  it('goes on only for a term whose matches in the window say the page fills within the extension', () => {
    // 51 rows needed (limit 50): at least 13 in 10,000 rows predict 51 in 40,000.
    expect(extensionThreshold(50, 30_000)).toBe(13);
    expect(extensionThreshold(50, 15_000)).toBe(21);
    expect(extensionThreshold(4, 30_000)).toBe(2);
    expect(extensionThreshold(50, 0)).toBe(Infinity);
  });
});
