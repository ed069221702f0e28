import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** Reading the source tree for the architecture tests: files, their string literals, tables, entities. */

export const ROOT = path.resolve(__dirname, '../..');
export const SRC = path.join(ROOT, 'src');

/** Every .ts file under dir (spec files included only when asked), as absolute paths, sorted. */
export function tsFiles(dir: string, withSpecs = false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        if (withSpecs || !entry.name.endsWith('.spec.ts')) out.push(full);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The path relative to the repository root, with forward slashes (how the maps name files). */
export const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

/** The top folder under src/ a file belongs to ('customers' for src/customers/dto/x.ts; '' for src/main.ts). */
export function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '';
}

export interface StringText {
  text: string;
  line: number;
}

/**
 * Every string literal and template literal of a file, as written (a template's `${…}` parts are kept
 * as `${expression}` so a dynamic table name stays visible). Comments are not strings, so SQL quoted in
 * a comment is not read.
 */
export function stringsOf(file: string): StringText[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: StringText[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      out.push({ text: node.text, line: lineOf(node) });
      return;
    }
    if (ts.isTemplateExpression(node)) {
      let text = node.head.text;
      for (const span of node.templateSpans)
        text += '${' + span.expression.getText(source) + '}' + span.literal.text;
      out.push({ text, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Tables that exist after every migration ran: CREATE TABLE in up() minus DROP TABLE in up(). */
export function migratedTables(): string[] {
  const dir = path.join(ROOT, 'migrations');
  const created = new Set<string>();
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d+-.*\.ts$/.test(f))
    .sort();
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const up = text.split(/async\s+down\s*\(/)[0];
    for (const m of up.matchAll(
      /\b(CREATE|DROP)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"?([a-z_][a-z0-9_]*)"?/gi,
    )) {
      if (m[1].toUpperCase() === 'CREATE') created.add(m[2].toLowerCase());
      else created.delete(m[2].toLowerCase());
    }
  }
  return [...created].sort();
}

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Entity class name → table, from the @Entity decorators under src/. */
export function entityTables(files: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const re =
      /@Entity\(\s*(?:'([a-z0-9_]+)'|\{[^}]*name:\s*'([a-z0-9_]+)'[^}]*\})?\s*\)[\s\S]*?class\s+(\w+)/g;
    for (const m of text.matchAll(re)) out.set(m[3], m[1] ?? m[2] ?? snake(m[3]));
  }
  return out;
}
