import { cycles, importGraph } from './import-graph';
import { folderOf, rel, SRC, tsFiles } from './source-scan';

/**
 * Dependencies point one way (docs/architecture.md, "Composition root and import rules"): no import
 * circle between files of src/ (type-only imports count: a reader follows them too), none between
 * module folders (no list of exceptions: move the shared piece to the module that owns it, or invert the
 * dependency with an event or a token), and common/ depends on nothing of the domain.
 */
const files = tsFiles(SRC, true);
const graph = importGraph(files);

/** Folders common/ may import from: itself and the app's settings. */
const COMMON_MAY_IMPORT = new Set(['common', 'config']);

/** Module folder → the module folders its files import (the composition root, src/*.ts, aside). */
function moduleGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const modules = new Map<string, string[]>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (!from) continue; // src/main.ts, src/app.module.ts: the composition root imports everything
    const to = new Set(modules.get(from) ?? []);
    for (const t of targets) if (folderOf(t) && folderOf(t) !== from) to.add(folderOf(t));
    modules.set(from, [...to].sort());
  }
  return modules;
}

/** Each circle between module folders, its folders sorted and joined by ' ↔ '. */
const moduleCircles = (g: Map<string, string[]>) => cycles(moduleGraph(g)).map((c) => c.join(' ↔ '));

describe('import graph of src/', () => {
  it('reads the imports (a sanity check of the reader)', () => {
    const main = files.find((f) => rel(f) === 'src/app.module.ts')!;
    expect(graph.get(main)!.map(rel)).toContain('src/customers/customers.module.ts');
    const circle = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(circle)).toEqual([['a', 'b', 'c']]);
  });

  it('has no circle between files, type-only imports included', () => {
    expect(cycles(graph).map((c) => c.map(rel))).toEqual([]);
  });

  it('has no circle between module folders (and no list of exceptions)', () => {
    expect(moduleCircles(graph)).toEqual([]);
  });

  it('finds a circle between module folders through any file of each (a sanity check of the folder graph)', () => {
    const f = (p: string) => `${SRC}/${p}`;
    const g = new Map([
      [f('auth/auth-user.ts'), [f('users/user.entity.ts')]],
      [f('users/users.service.ts'), [f('auth/password-hasher.ts')]],
      [f('users/user.entity.ts'), [f('rooftops/rooftop.entity.ts')]],
      [f('app.module.ts'), [f('auth/auth-user.ts'), f('users/users.service.ts')]],
    ]);
    expect(moduleCircles(g)).toEqual(['auth ↔ users']);
    g.delete(f('auth/auth-user.ts'));
    expect(moduleCircles(g)).toEqual([]);
  });

  it('keeps common/ free of the domain: it imports only common/ and config/', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      if (folderOf(file) !== 'common') continue;
      for (const t of targets)
        if (!COMMON_MAY_IMPORT.has(folderOf(t))) wrong.push(`${rel(file)} → ${rel(t)}`);
    }
    expect(wrong).toEqual([]);
  });
});
