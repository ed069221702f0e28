import type { Language } from '../config/app-config';
import { escapeHtml } from '../common/http/html';

/** The customer-facing survey page (no login, no script, no external assets) in en, km and lo. */
interface PageText {
  title: string;
  intro: (rooftop: string, kind: 'sale' | 'service') => string;
  nps: (rooftop: string) => string;
  npsLow: string;
  npsHigh: string;
  csat: string;
  csatLabels: [string, string, string, string, string];
  comment: string;
  submit: string;
  thanks: string;
  thanksBody: string;
  answered: string;
  expired: string;
  notFound: string;
}

export const SURVEY_TEXT: Record<Language, PageText> = {
  en: {
    title: 'How did we do?',
    intro: (r, k) =>
      k === 'sale'
        ? `Thank you for buying your vehicle from ${r}. Please tell us about your experience.`
        : `Thank you for having your vehicle serviced at ${r}. Please tell us about your visit.`,
    nps: (r) => `How likely are you to recommend ${r} to a friend or colleague?`,
    npsLow: 'Not at all likely',
    npsHigh: 'Extremely likely',
    csat: 'Overall, how satisfied are you?',
    csatLabels: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
    comment: 'Anything you would like to tell us? (optional)',
    submit: 'Send my answers',
    thanks: 'Thank you for your feedback!',
    thanksBody: 'Your answers help us serve you better.',
    answered: 'You have already answered this survey. Thank you!',
    expired: 'Sorry, this survey has closed.',
    notFound: 'This survey link is not valid.',
  },
  km: {
    title: 'តើយើងបម្រើអ្នកបានល្អយ៉ាងណា?',
    intro: (r, k) =>
      k === 'sale'
        ? `សូមអរគុណដែលបានទិញយានយន្តពី ${r}។ សូមប្រាប់យើងអំពីបទពិសោធន៍របស់អ្នក។`
        : `សូមអរគុណដែលបានយកយានយន្តមកថែទាំនៅ ${r}។ សូមប្រាប់យើងអំពីការមកលើកនេះ។`,
    nps: (r) => `តើអ្នកទំនងជាណែនាំ ${r} ទៅមិត្តភក្តិ ឬសហការីកម្រិតណា?`,
    npsLow: 'មិនទំនងទាល់តែសោះ',
    npsHigh: 'ទំនងបំផុត',
    csat: 'ជារួម តើអ្នកពេញចិត្តកម្រិតណា?',
    csatLabels: ['មិនពេញចិត្តខ្លាំង', 'មិនពេញចិត្ត', 'ធម្មតា', 'ពេញចិត្ត', 'ពេញចិត្តខ្លាំង'],
    comment: 'តើមានអ្វីចង់ប្រាប់យើងទៀតទេ? (មិនចាំបាច់)',
    submit: 'ផ្ញើចម្លើយរបស់ខ្ញុំ',
    thanks: 'សូមអរគុណចំពោះមតិរបស់អ្នក!',
    thanksBody: 'ចម្លើយរបស់អ្នកជួយយើងឱ្យបម្រើអ្នកបានប្រសើរជាងមុន។',
    answered: 'អ្នកបានឆ្លើយការស្ទង់មតិនេះរួចហើយ។ សូមអរគុណ!',
    expired: 'សូមអភ័យទោស ការស្ទង់មតិនេះបានបិទហើយ។',
    notFound: 'តំណស្ទង់មតិនេះមិនត្រឹមត្រូវទេ។',
  },
  lo: {
    title: 'ພວກເຮົາບໍລິການທ່ານເປັນແນວໃດ?',
    intro: (r, k) =>
      k === 'sale'
        ? `ຂອບໃຈທີ່ຊື້ລົດຈາກ ${r}. ກະລຸນາບອກພວກເຮົາກ່ຽວກັບປະສົບການຂອງທ່ານ.`
        : `ຂອບໃຈທີ່ນຳລົດມາບໍລິການທີ່ ${r}. ກະລຸນາບອກພວກເຮົາກ່ຽວກັບການມາຄັ້ງນີ້.`,
    nps: (r) => `ທ່ານມີແນວໂນ້ມຈະແນະນຳ ${r} ໃຫ້ໝູ່ເພື່ອນ ຫຼື ເພື່ອນຮ່ວມງານຫຼາຍປານໃດ?`,
    npsLow: 'ບໍ່ແນະນຳເລີຍ',
    npsHigh: 'ແນະນຳແນ່ນອນ',
    csat: 'ໂດຍລວມແລ້ວ ທ່ານພໍໃຈຫຼາຍປານໃດ?',
    csatLabels: ['ບໍ່ພໍໃຈຫຼາຍ', 'ບໍ່ພໍໃຈ', 'ປານກາງ', 'ພໍໃຈ', 'ພໍໃຈຫຼາຍ'],
    comment: 'ມີຫຍັງຢາກບອກພວກເຮົາອີກບໍ່? (ບໍ່ບັງຄັບ)',
    submit: 'ສົ່ງຄຳຕອບຂອງຂ້ອຍ',
    thanks: 'ຂອບໃຈສຳລັບຄຳຕິຊົມຂອງທ່ານ!',
    thanksBody: 'ຄຳຕອບຂອງທ່ານຊ່ວຍໃຫ້ພວກເຮົາບໍລິການທ່ານໄດ້ດີຂຶ້ນ.',
    answered: 'ທ່ານໄດ້ຕອບແບບສອບຖາມນີ້ແລ້ວ. ຂອບໃຈ!',
    expired: 'ຂໍອະໄພ, ແບບສອບຖາມນີ້ປິດແລ້ວ.',
    notFound: 'ລິ້ງແບບສອບຖາມນີ້ບໍ່ຖືກຕ້ອງ.',
  },
};

const STYLE = `body{font-family:system-ui,"Noto Sans Khmer","Noto Sans Lao",sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d2733;line-height:1.5}
fieldset{border:1px solid #ccd3db;border-radius:.5rem;margin:1rem 0;padding:1rem}legend{font-weight:600}
.scale{display:flex;flex-wrap:wrap;gap:.4rem}.scale label{display:flex;flex-direction:column;align-items:center;min-width:2.4rem;padding:.3rem;border:1px solid #ccd3db;border-radius:.4rem;cursor:pointer}
.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#5a6673}textarea{width:100%;min-height:6rem}
button{background:#0b5cad;color:#fff;border:0;border-radius:.4rem;padding:.7rem 1.4rem;font-size:1rem;cursor:pointer}`;

function shell(language: Language, title: string, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function renderSurveyForm(
  language: Language,
  rooftopName: string,
  kind: 'sale' | 'service',
  action: string,
): string {
  const t = SURVEY_TEXT[language];
  const r = escapeHtml(rooftopName);
  const nps = Array.from(
    { length: 11 },
    (_, i) => `<label><input type="radio" name="nps" value="${i}" required>${i}</label>`,
  ).join('');
  const csat = t.csatLabels
    .map(
      (label, i) =>
        `<label><input type="radio" name="csat" value="${i + 1}" required>${i + 1}<small>${escapeHtml(label)}</small></label>`,
    )
    .join('');
  return shell(
    language,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1><p>${t.intro(r, kind)}</p>
<form method="post" action="${escapeHtml(action)}">
<fieldset><legend>${t.nps(r)}</legend><div class="scale">${nps}</div><div class="ends"><span>0 — ${escapeHtml(t.npsLow)}</span><span>10 — ${escapeHtml(t.npsHigh)}</span></div></fieldset>
<fieldset><legend>${escapeHtml(t.csat)}</legend><div class="scale">${csat}</div></fieldset>
<fieldset><legend><label for="comment">${escapeHtml(t.comment)}</label></legend><textarea id="comment" name="comment" maxlength="2000"></textarea></fieldset>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`,
  );
}

export function renderSurveyMessage(
  language: Language,
  outcome: 'thanks' | 'answered' | 'expired' | 'notFound',
  /** After the thanks: the Telegram opt-in link (already HTML). */
  extraHtml = '',
): string {
  const t = SURVEY_TEXT[language];
  const heading =
    outcome === 'thanks'
      ? t.thanks
      : outcome === 'answered'
        ? t.answered
        : outcome === 'expired'
          ? t.expired
          : t.notFound;
  const body = outcome === 'thanks' ? `<p>${escapeHtml(t.thanksBody)}</p>${extraHtml}` : '';
  return shell(
    language,
    heading,
    `<h1 id="outcome" data-outcome="${outcome}">${escapeHtml(heading)}</h1>${body}`,
  );
}
