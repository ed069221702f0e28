import * as fs from 'node:fs';
import * as path from 'node:path';
import { entityTables, folderOf, migratedTables, rel, SRC, tsFiles } from './source-scan';
import { TABLE_OWNERS, WRITES_ANY_TABLE } from './table-owners';
import { writesInFile, writesInText } from './table-writes';

/**
 * Every table has one owner (test/architecture/table-owners.ts, stated in docs/architecture.md) and
 * only the owner writes it. Reads every module's source under src/ (spec files excluded): SQL in
 * strings and TypeORM writes naming an entity. A write into another module's table fails this test
 * until it goes through the owner (its service, or an event it listens to). There are no exceptions
 * (the last one, auth stamping app_user.last_login_at, goes through users' 'user.logged_in' listener).
 */
const files = tsFiles(SRC);
const entities = entityTables(files);
const tables = new Set(migratedTables());

function violations(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    const folder = folderOf(file);
    if (folder in WRITES_ANY_TABLE) continue;
    for (const w of writesInFile(file, entities, tables)) {
      if (TABLE_OWNERS[w.table] === folder) continue;
      const key = `${rel(file)} writes ${w.table}`;
      found.set(key, [...(found.get(key) ?? []), `line ${w.line}: ${w.how}`]);
    }
  }
  return found;
}

describe('table ownership', () => {
  it('gives every table the migrations create exactly one owner, an existing module folder', () => {
    expect(Object.keys(TABLE_OWNERS).sort()).toEqual([...tables].sort());
    for (const owner of new Set(Object.values(TABLE_OWNERS))) {
      expect(fs.existsSync(path.join(SRC, owner))).toBe(true);
    }
    for (const folder of Object.keys(WRITES_ANY_TABLE))
      expect(fs.existsSync(path.join(SRC, folder))).toBe(true);
  });

  it('maps every entity to a table the migrations create', () => {
    expect(entities.size).toBeGreaterThan(20);
    for (const [entity, table] of entities)
      expect({ entity, table, known: tables.has(table) }).toEqual({ entity, table, known: true });
  });

  it('finds no module writing a table it does not own (there is no list of exceptions)', () => {
    const found = [...violations()].map(([key, at]) => `${key} (${at.join('; ')})`);
    expect(found).toEqual([]);
  });
});

describe('the write finder', () => {
  const ents = new Map([
    ['Task', 'task'],
    ['Customer', 'customer'],
  ]);
  const tbls = new Set(['task', 'customer', 'interaction', 'outbox_message']);
  const found = (code: string) => writesInText(code, ents, tbls).map((w) => `${w.table}:${w.how}`);

  it('reads the SQL write forms, in plain and template strings, and nothing in comments or prose', () => {
    expect(found("q('INSERT INTO task (id) VALUES ($1)')")).toEqual(['task:INSERT']);
    expect(found('q(`insert into "public"."interaction" (id) SELECT id FROM customer`)')).toEqual([
      'interaction:INSERT',
    ]);
    expect(found('q(`INSERT INTO customer (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET x = 1`)')).toEqual([
      'customer:INSERT',
    ]);
    expect(
      found('q(`WITH moved AS (UPDATE outbox_message o SET status = 1 RETURNING id) SELECT 1`)'),
    ).toEqual(['outbox_message:UPDATE']);
    expect(found('q(`DELETE FROM task WHERE id = ${id}`)')).toEqual(['task:DELETE']);
    expect(found('q(`TRUNCATE customer, task`)')).toEqual(['customer:TRUNCATE']);
    expect(found('q(`INSERT INTO ${table} (id) VALUES (1)`)')).toEqual(['${table}:INSERT']);
    expect(found("// INSERT INTO task\n/* DELETE FROM customer */ q('SELECT 1 FROM task')")).toEqual([]);
    expect(found("const s = 'We update customer records when you visit';")).toEqual([]);
  });

  it('reads TypeORM writes that name an entity', () => {
    expect(found('await m.insert(Task, { id });')).toEqual(['task:TypeORM insert(Task)']);
    expect(found('await this.db.getRepository(Customer)\n  .update({ id }, { x });')).toEqual([
      'customer:TypeORM getRepository(Customer).update',
    ]);
    expect(found('qb.delete().from(Task).execute()')).toEqual([
      'task:TypeORM query builder delete().from(Task)',
    ]);
    expect(found('const repo = this.db.getRepository(Task);\nawait repo.save(t);')).toEqual([
      'task:TypeORM repository repo.save',
    ]);
    expect(
      found(
        'constructor(@InjectRepository(Customer) private readonly customers: Repository<Customer>) {}\nf() { this.customers.delete(1); }',
      ),
    ).toEqual(['customer:TypeORM repository customers.delete']);
    expect(found('await this.db.getRepository(Task).findOneBy({ id });')).toEqual([]);
  });
});
