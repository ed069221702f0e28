import * as fs from 'node:fs';
import * as path from 'node:path';
import { folderOf, rel, ROOT, SRC, tsFiles } from './source-scan';
import { TABLE_OWNERS, WRITES_ANY_TABLE } from './table-owners';

/**
 * Writes the generated parts of docs/architecture.md from the code: the ownership table (from
 * table-owners.ts) and each module's public API (its Nest module's `exports`, its entity list and CLI
 * commands, the domain events it emits and the ones it listens to, and where). The architecture tests
 * fail when the doc differs; regenerate with
 *
 *   node -r ./test/support/swc-register.js test/architecture/module-map.ts
 */
export const DOC = path.join(ROOT, 'docs/architecture.md');
const BLOCKS = ['ownership', 'module-api'] as const;
type Block = (typeof BLOCKS)[number];

interface ModuleFacts {
  folder: string;
  tables: string[];
  exports: string[];
  lists: string[];
  emits: string[];
  listens: Map<string, string[]>;
}

function facts(): ModuleFacts[] {
  const byFolder = new Map<string, string[]>();
  for (const file of tsFiles(SRC)) {
    const folder = folderOf(file);
    if (folder) byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const out: ModuleFacts[] = [];
  for (const [folder, files] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
    const text = (f: string) => fs.readFileSync(f, 'utf8');
    const moduleFiles = files.filter(
      (f) => f.endsWith('.module.ts') && path.dirname(f) === path.join(SRC, folder),
    );
    const exportsList = moduleFiles.flatMap((f) =>
      [...text(f).matchAll(/exports:\s*\[([^\]]*)\]/g)].map((m) => m[1]),
    );
    const emits = new Set<string>();
    const listens = new Map<string, string[]>();
    const lists: string[] = [];
    for (const f of files) {
      const t = text(f);
      for (const m of t.matchAll(/\.emit\(\s*\w+\s*,\s*'([a-z_]+\.[a-z_]+)'/g)) emits.add(m[1]);
      for (const m of t.matchAll(/\.on\(\s*'([a-z_]+\.[a-z_]+)'/g)) {
        listens.set(m[1], [...new Set([...(listens.get(m[1]) ?? []), path.basename(f)])]);
      }
      for (const m of t.matchAll(/export const (\w+_(?:ENTITIES|COMMANDS))\b/g)) {
        if (folder !== 'cli') lists.push(`\`${m[1]}\` (${rel(f)})`);
      }
    }
    out.push({
      folder,
      tables: Object.keys(TABLE_OWNERS).filter((t) => TABLE_OWNERS[t] === folder),
      exports: exportsList
        .join(',')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      lists,
      emits: [...emits].sort(),
      listens,
    });
  }
  return out;
}

const code = (items: string[]) => (items.length ? items.map((i) => `\`${i}\``).join(', ') : '—');

export function generated(block: Block): string {
  if (block === 'ownership') {
    const lines = ['| Owner | Tables |', '| --- | --- |'];
    const owners = [...new Set(Object.values(TABLE_OWNERS))].sort();
    for (const owner of owners)
      lines.push(
        `| \`${owner}\` | ${code(Object.keys(TABLE_OWNERS).filter((t) => TABLE_OWNERS[t] === owner))} |`,
      );
    lines.push('', 'Folders that may write any table (tools around the modules, not modules):', '');
    for (const [folder, why] of Object.entries(WRITES_ANY_TABLE)) lines.push(`- \`src/${folder}\`: ${why}.`);
    return lines.join('\n');
  }
  const lines: string[] = [];
  for (const m of facts()) {
    if (!m.tables.length && !m.exports.length && !m.emits.length && !m.listens.size && !m.lists.length)
      continue;
    lines.push(`### ${m.folder}`, '');
    lines.push(`- Owns: ${code(m.tables)}`);
    lines.push(`- Exported services: ${code(m.exports)}`);
    if (m.lists.length) lines.push(`- Collected by the composition root: ${m.lists.join(', ')}`);
    lines.push(`- Emits: ${code(m.emits)}`);
    const listens = [...m.listens].sort(([a], [b]) => a.localeCompare(b));
    lines.push(
      `- Listens to: ${listens.length ? listens.map(([e, f]) => `\`${e}\` (${f.join(', ')})`).join(', ') : '—'}`,
    );
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

const start = (b: Block) => `<!-- generated:${b} (test/architecture/module-map.ts) -->`;
const end = (b: Block) => `<!-- end:${b} -->`;

/** Whitespace runs and table rules made uniform, so prettier's table padding does not count as a change. */
export const normalised = (markdown: string | undefined) =>
  markdown
    ?.trim()
    .replace(/[ \t]+/g, ' ')
    .replace(/-{3,}/g, '---');

/** The block as it stands in the doc, or undefined when its markers are missing. */
export function inDoc(block: Block, doc = fs.readFileSync(DOC, 'utf8')): string | undefined {
  const from = doc.indexOf(start(block));
  const to = doc.indexOf(end(block));
  if (from < 0 || to < from) return undefined;
  return doc.slice(from + start(block).length, to).trim();
}

async function write(): Promise<void> {
  let doc = fs.readFileSync(DOC, 'utf8');
  for (const b of BLOCKS) {
    const from = doc.indexOf(start(b));
    const to = doc.indexOf(end(b));
    if (from < 0 || to < from) throw new Error(`docs/architecture.md has no ${start(b)} … ${end(b)} block`);
    doc = `${doc.slice(0, from)}${start(b)}\n\n${generated(b)}\n\n${doc.slice(to)}`;
  }
  const prettier = await import('prettier');
  fs.writeFileSync(
    DOC,
    await prettier.format(doc, { ...(await prettier.resolveConfig(DOC)), filepath: DOC }),
  );
}

if (require.main === module) void write();
