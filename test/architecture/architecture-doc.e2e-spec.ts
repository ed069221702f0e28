import { generated, inDoc, normalised } from './module-map';

/**
 * docs/architecture.md states the ownership map and each module's public API as the code has them.
 * When this fails, regenerate the two blocks: node -r ./test/support/swc-register.js test/architecture/module-map.ts
 */
describe('docs/architecture.md', () => {
  it.each(['ownership', 'module-api'] as const)('states the %s block as generated from the code', (block) => {
    expect(normalised(inDoc(block))).toEqual(normalised(generated(block)));
  });
});
