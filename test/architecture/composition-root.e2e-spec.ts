import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENTITIES } from '../../src/app.entities';
import { CLI_COMMANDS } from '../../src/cli/commands';
import { importGraph } from './import-graph';
import { entityTables, folderOf, rel, SRC, tsFiles } from './source-scan';

/**
 * The composition root collects what each module exports of its own: its entities
 * (`src/<module>/<module>.entities.ts`, collected by src/app.entities.ts) and its CLI commands
 * (`<NAME>_COMMANDS`, collected by src/cli/commands.ts). No infrastructure folder lists a module's
 * classes itself.
 */
const files = tsFiles(SRC);
const graph = importGraph(files);
const exportsOf = (suffix: string) =>
  files.flatMap((file) =>
    [
      ...fs.readFileSync(file, 'utf8').matchAll(new RegExp(String.raw`export const (\w+${suffix})\b`, 'g')),
    ].map((m) => ({ file, name: m[1] })),
  );

describe('composition root', () => {
  it('registers every @Entity class once, through its module’s own list', () => {
    const names = ENTITIES.map((e) => e.name).sort();
    expect(names).toEqual([...entityTables(files).keys()].sort());
  });

  it('has each module list only its own entities, and app.entities.ts collect every list', () => {
    const lists = exportsOf('_ENTITIES').filter(({ file }) => folderOf(file) !== '');
    for (const { file } of lists) {
      const foreign = graph.get(file)!.filter((t) => folderOf(t) !== folderOf(file));
      expect({ file: rel(file), foreign: foreign.map(rel) }).toEqual({ file: rel(file), foreign: [] });
    }
    const root = fs.readFileSync(path.join(SRC, 'app.entities.ts'), 'utf8');
    for (const { name } of lists)
      expect({ name, collected: root.includes(`...${name}`) }).toEqual({ name, collected: true });
  });

  it('collects every module’s CLI commands in src/cli/commands.ts', () => {
    const lists = exportsOf('_COMMANDS').filter(({ file }) => folderOf(file) !== 'cli');
    expect(lists.length).toBeGreaterThanOrEqual(2);
    const root = fs.readFileSync(path.join(SRC, 'cli/commands.ts'), 'utf8');
    for (const { name } of lists)
      expect({ name, collected: root.includes(`...${name}`) }).toEqual({ name, collected: true });
    expect(CLI_COMMANDS.length).toBeGreaterThanOrEqual(lists.length);
  });

  it('keeps src/database free of the domain: it imports only the composition root’s entity list', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      if (folderOf(file) !== 'database') continue;
      for (const t of targets) {
        if (!['database', 'config', 'common', ''].includes(folderOf(t)))
          wrong.push(`${rel(file)} → ${rel(t)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
