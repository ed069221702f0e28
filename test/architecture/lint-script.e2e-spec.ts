import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './source-scan';

/** `npm run lint` checks the formatting too (issue 13), and prettier leaves generated and local folders alone. */
describe('npm run lint', () => {
  it('runs eslint and prettier --check over the repository', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.lint.split('&&').map((s) => s.trim())).toEqual(['eslint .', 'prettier --check .']);
  });

  it('has prettier ignore what is generated, installed or local', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.prettierignore'), 'utf8').split('\n');
    for (const dir of ['node_modules', 'dist', '.data', 'coverage', 'test-artifacts', 'bench-results']) {
      expect({ dir, ignored: ignored.includes(dir) }).toEqual({ dir, ignored: true });
    }
  });
});
