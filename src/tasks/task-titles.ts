import type { Language } from '../config/app-config';

/**
 * Titles of the tasks the system raises, in every staff language. A task is read by the person it is
 * assigned to, so its title is written, when the task is raised, in the assignee's own language (their
 * user profile): a Khmer-speaking salesperson reads Khmer in their list whatever the customer speaks.
 * The title is stored as written; a reassigned task keeps it. `{name}` marks a value filled in by SQL.
 */
export const TASK_TITLES = {
  call_after_sale: {
    en: 'Call after sale: {vehicle}',
    km: 'ទូរស័ព្ទទៅអតិថិជនក្រោយការលក់៖ {vehicle}',
    lo: 'ໂທຫາລູກຄ້າຫຼັງການຂາຍ: {vehicle}',
  },
  lease_end: {
    en: 'Lease ends {date}: {vehicle}',
    km: 'កិច្ចសន្យាជួលបញ្ចប់នៅថ្ងៃ {date}៖ {vehicle}',
    lo: 'ສັນຍາເຊົ່າສິ້ນສຸດວັນທີ {date}: {vehicle}',
  },
  finance_end: {
    en: 'Finance ends {date}: {vehicle}',
    km: 'កិច្ចសន្យាបង់រំលស់បញ្ចប់នៅថ្ងៃ {date}៖ {vehicle}',
    lo: 'ສັນຍາຜ່ອນຊຳລະສິ້ນສຸດວັນທີ {date}: {vehicle}',
  },
  win_back: {
    en: 'Win back: no visit since {date}',
    km: 'ទាក់ទាញអតិថិជនឱ្យត្រឡប់មកវិញ៖ មិនបានមកតាំងពី {date}',
    lo: 'ດຶງລູກຄ້າໃຫ້ກັບມາ: ບໍ່ໄດ້ມາຕັ້ງແຕ່ {date}',
  },
  complaint_first_response: {
    en: 'Complaint not answered within 24 hours',
    km: 'បណ្តឹងមិនទាន់បានឆ្លើយតបក្នុងរយៈពេល 24 ម៉ោង',
    lo: 'ຄຳຮ້ອງທຸກບໍ່ໄດ້ຮັບການຕອບພາຍໃນ 24 ຊົ່ວໂມງ',
  },
  complaint_resolution: {
    en: 'Complaint not resolved within 7 days',
    km: 'បណ្តឹងមិនទាន់បានដោះស្រាយក្នុងរយៈពេល 7 ថ្ងៃ',
    lo: 'ຄຳຮ້ອງທຸກບໍ່ໄດ້ຮັບການແກ້ໄຂພາຍໃນ 7 ມື້',
  },
  reply: {
    en: 'Customer replied by {channel}: answer them',
    km: 'អតិថិជនបានឆ្លើយតបតាម {channel}៖ សូមឆ្លើយតបទៅវិញ',
    lo: 'ລູກຄ້າຕອບກັບທາງ {channel}: ກະລຸນາຕອບກັບ',
  },
} as const satisfies Record<string, Record<Language, string>>;

export type TaskTitleKey = keyof typeof TASK_TITLES;

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** One language's title as a SQL text expression: literals quoted, `{name}` replaced by `values[name]`. */
function titleSql(template: string, values: Record<string, string>): string {
  const parts = template.split(/\{(\w+)\}/).map((part, i) => {
    if (i % 2 === 0) return part === '' ? null : quote(part);
    const value = values[part];
    if (value === undefined) throw new Error(`task title placeholder {${part}} has no value`);
    return `(${value})`;
  });
  return parts.filter((p): p is string => p !== null).join(' || ') || quote('');
}

/**
 * SQL for the titles of task `key` in every language, as a jsonb object `{"en": …, "km": …, "lo": …}`;
 * `values` maps each placeholder to a SQL text expression, e.g. `{ date: "to_char(d, 'YYYY-MM-DD')" }`.
 * Pick the assignee's with `titleInSql`.
 */
export function taskTitlesSql(key: TaskTitleKey, values: Record<string, string> = {}): string {
  const t: Record<Language, string> = TASK_TITLES[key];
  const pairs = (Object.keys(t) as Language[]).map((l) => `'${l}', ${titleSql(t[l], values)}`);
  return `jsonb_build_object(${pairs.join(', ')})`;
}

/** SQL: the title in the language `languageSql` evaluates to, from `taskTitlesSql` (English if it has none). */
export function titleInSql(titlesSql: string, languageSql: string): string {
  return `COALESCE((${titlesSql}) ->> (${languageSql}), (${titlesSql}) ->> 'en')`;
}
