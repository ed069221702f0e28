import { localizedItemName } from '../../maintenance-catalogue/item-names';

/**
 * The reminder stages in each language, so that the service reminder digest reads naturally in the customer's
 * language (item names: maintenance-catalogue/item-names.ts). Looked up when the digest is rendered
 * (withReminderLabels), not stored in it.
 */
export const STAGE_LABELS: Record<'due_soon' | 'due' | 'overdue', { en: string; km: string; lo: string }> = {
  due_soon: { en: 'due soon', km: 'ជិតដល់ពេលហើយ', lo: 'ໃກ້ຮອດກຳນົດ' },
  due: { en: 'due now', km: 'ដល់ពេលហើយ', lo: 'ຮອດກຳນົດແລ້ວ' },
  overdue: { en: 'overdue', km: 'ហួសពេលកំណត់ហើយ', lo: 'ກາຍກຳນົດແລ້ວ' },
};

interface StoredItem {
  itemCode?: string;
  itemName?: string;
  stage?: string;
  itemNames?: unknown;
  stageLabels?: unknown;
}

/**
 * The digest payload as the template reads it: each item with `itemNames` (the catalogue name stored as
 * `itemName`, and its Khmer and Lao names) and `stageLabels` (en, km, lo). The planner stores neither; a digest
 * written by an earlier version stored both, and keeps its own.
 */
export function withReminderLabels(stored: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(stored.items)) return stored;
  const items = (stored.items as StoredItem[]).map((item) => {
    const stage = item.stage && Object.hasOwn(STAGE_LABELS, item.stage) ? item.stage : null;
    return {
      ...item,
      itemNames: item.itemNames ?? localizedItemName(item.itemCode, item.itemName ?? item.itemCode ?? ''),
      stageLabels: item.stageLabels ?? (stage ? STAGE_LABELS[stage as keyof typeof STAGE_LABELS] : undefined),
    };
  });
  return { ...stored, items };
}
