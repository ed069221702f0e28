import * as fs from 'node:fs';
import * as ts from 'typescript';

/**
 * Finds the table writes in one source file: SQL in its string and template literals (INSERT INTO —
 * with or without SELECT or ON CONFLICT DO UPDATE —, UPDATE … SET, DELETE FROM, TRUNCATE, MERGE INTO,
 * COPY … FROM STDIN, also inside a WITH) and TypeORM writes naming an entity class (`m.insert(Task, …)`,
 * `getRepository(Task).save(…)`, `.insert().into(Task)`, `.delete().from(Task)`, a repository held in a
 * variable or injected with @InjectRepository then written through).
 */
export interface TableWrite {
  line: number;
  /** The table, or `${expression}` when the SQL names its table through a template expression. */
  table: string;
  how: string;
}

const TABLE = String.raw`((?:"?[a-z_][a-z0-9_]*"?\.)?"?[a-z_][a-z0-9_]*"?|\$\{[^}]+\})`;
const SQL_WRITES: { how: string; re: RegExp }[] = [
  { how: 'INSERT', re: new RegExp(String.raw`\bINSERT\s+INTO\s+${TABLE}`, 'gi') },
  {
    how: 'UPDATE',
    re: new RegExp(
      String.raw`\bUPDATE\s+(?:ONLY\s+)?${TABLE}(?:\s+(?:AS\s+)?[a-z_][a-z0-9_]*)?\s+SET\b`,
      'gi',
    ),
  },
  { how: 'DELETE', re: new RegExp(String.raw`\bDELETE\s+FROM\s+(?:ONLY\s+)?${TABLE}`, 'gi') },
  { how: 'TRUNCATE', re: new RegExp(String.raw`\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?${TABLE}`, 'gi') },
  { how: 'MERGE', re: new RegExp(String.raw`\bMERGE\s+INTO\s+${TABLE}`, 'gi') },
  { how: 'COPY FROM', re: new RegExp(String.raw`\bCOPY\s+${TABLE}[^;]*?\bFROM\s+STDIN`, 'gi') },
];

const METHODS =
  'save|insert|update|delete|upsert|remove|softDelete|softRemove|restore|recover|increment|decrement|clear|create';

/** Writes in the file at this path. */
export function writesInFile(file: string, entities: Map<string, string>, tables: Set<string>): TableWrite[] {
  return writesInText(fs.readFileSync(file, 'utf8'), entities, tables, file);
}

export function writesInText(
  text: string,
  entities: Map<string, string>,
  tables: Set<string>,
  fileName = 'inline.ts',
): TableWrite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  return [...sqlWrites(source, tables), ...typeormWrites(source, entities)].sort((a, b) => a.line - b.line);
}

function sqlWrites(source: ts.SourceFile, tables: Set<string>): TableWrite[] {
  const out: TableWrite[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) {
      text = node.head.text;
      for (const span of node.templateSpans)
        text += '${' + span.expression.getText(source) + '}' + span.literal.text;
    }
    if (text === undefined) {
      ts.forEachChild(node, visit);
      return;
    }
    const startLine = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    for (const { how, re } of SQL_WRITES) {
      for (const m of text.matchAll(re)) {
        const table = normaliseTable(m[1]);
        if (!table.startsWith('${') && !tables.has(table)) continue; // English prose, a CTE name, …
        const line = startLine + (text.slice(0, m.index).match(/\n/g)?.length ?? 0);
        out.push({ line, table, how });
      }
    }
    if (ts.isTemplateExpression(node)) ts.forEachChild(node, visit); // strings inside ${…}
  };
  visit(source);
  return out;
}

function normaliseTable(token: string): string {
  if (token.startsWith('${')) return token;
  const parts = token.replace(/"/g, '').toLowerCase().split('.');
  return parts[parts.length - 1];
}

function typeormWrites(source: ts.SourceFile, entities: Map<string, string>): TableWrite[] {
  const code = withoutCommentsAndStrings(source);
  const out: TableWrite[] = [];
  const lineAt = (index: number) => source.getLineAndCharacterOfPosition(index).line + 1;
  const add = (index: number, entity: string, how: string) => {
    const table = entities.get(entity);
    if (table) out.push({ line: lineAt(index), table, how });
  };
  // m.insert(Task, …), manager.save(Task, …), qb.update(Task)
  for (const m of code.matchAll(new RegExp(String.raw`\.\s*(${METHODS})\(\s*(\w+)\s*[,)]`, 'g'))) {
    add(m.index, m[2], `TypeORM ${m[1]}(${m[2]})`);
  }
  // getRepository(Task).save(…)
  for (const m of code.matchAll(
    new RegExp(String.raw`getRepository\(\s*(\w+)\s*\)\s*\.\s*(${METHODS})\(`, 'g'),
  )) {
    add(m.index, m[1], `TypeORM getRepository(${m[1]}).${m[2]}`);
  }
  // qb.insert().into(Task), qb.delete().from(Task)
  for (const m of code.matchAll(/\.\s*(insert\(\)\s*\.\s*into|delete\(\)\s*\.\s*from)\(\s*(\w+)/g)) {
    add(m.index, m[2], `TypeORM query builder ${m[1].replace(/\s/g, '')}(${m[2]})`);
  }
  // a repository kept in a variable or injected, then written through
  const handles: { name: string; entity: string }[] = [];
  for (const m of code.matchAll(/(?:const|let|var)\s+(\w+)\s*=\s*[^;]*?getRepository\(\s*(\w+)\s*\)\s*;/g)) {
    handles.push({ name: m[1], entity: m[2] });
  }
  for (const m of code.matchAll(
    /InjectRepository\(\s*(\w+)\s*\)\s*(?:(?:private|protected|public|readonly)\s+)*(\w+)/g,
  )) {
    handles.push({ name: m[2], entity: m[1] });
  }
  for (const { name, entity } of handles) {
    for (const m of code.matchAll(
      new RegExp(String.raw`(?<![\w.])(?:this\s*\.\s*)?${name}\s*\.\s*(${METHODS})\(`, 'g'),
    )) {
      add(m.index, entity, `TypeORM repository ${name}.${m[1]}`);
    }
  }
  return out;
}

/** The code with comments and string contents blanked out (same length, so positions keep their lines). */
function withoutCommentsAndStrings(source: ts.SourceFile): string {
  const text = source.getFullText();
  const chars = text.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n') chars[i] = ' ';
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateLiteralToken(node)
    ) {
      blank(node.getStart(source) + 1, node.end - 1);
    }
    for (const range of [
      ...(ts.getLeadingCommentRanges(text, node.pos) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.end) ?? []),
    ]) {
      blank(range.pos, range.end);
    }
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return chars.join('');
}
