import type { Language } from '../config/app-config';
import type { UnsubscribeScope } from './unsubscribe-links';
import { escapeHtml } from '../common/http/html';

/** The customer-facing unsubscribe pages, in the customer's language. Plain HTML, no scripts. */
const TEXT: Record<
  Language,
  {
    title: string;
    question: (what: string, rooftop: string) => string;
    button: string;
    doneTitle: string;
    done: (what: string, rooftop: string) => string;
    transactional: string;
    scope: Record<UnsubscribeScope, string>;
  }
> = {
  en: {
    title: 'Unsubscribe',
    question: (what, rooftop) => `Do you want to stop receiving ${what} from ${rooftop}?`,
    button: 'Yes, unsubscribe me',
    doneTitle: 'You are unsubscribed',
    done: (what, rooftop) => `You will no longer receive ${what} from ${rooftop}.`,
    transactional: 'We may still write to you about your own bookings and repairs.',
    scope: {
      service_reminders: 'maintenance reminders',
      follow_ups: 'follow-up emails',
      surveys: 'survey invitations',
      marketing: 'offers and news',
      all: 'reminders, follow-ups, surveys, offers and news',
    },
  },
  km: {
    title: 'ឈប់ទទួលអ៊ីមែល',
    question: (what, rooftop) => `តើអ្នកចង់ឈប់ទទួល${what}ពី ${rooftop} មែនទេ?`,
    button: 'បាទ/ចាស ឈប់ផ្ញើមកខ្ញុំទៀត',
    doneTitle: 'អ្នកបានឈប់ទទួលអ៊ីមែលហើយ',
    done: (what, rooftop) => `អ្នកនឹងលែងទទួលបាន${what}ពី ${rooftop} ទៀតហើយ។`,
    transactional: 'យើងនៅតែអាចផ្ញើសារទៅអ្នកអំពីការណាត់ជួប និងការជួសជុលរបស់អ្នក។',
    scope: {
      service_reminders: 'ការរំលឹកអំពីការថែទាំរថយន្ត',
      follow_ups: 'អ៊ីមែលតាមដាន',
      surveys: 'ការអញ្ជើញឱ្យឆ្លើយការស្ទង់មតិ',
      marketing: 'ការផ្តល់ជូនពិសេស និងព័ត៌មាន',
      all: 'ការរំលឹក អ៊ីមែលតាមដាន ការស្ទង់មតិ ការផ្តល់ជូនពិសេស និងព័ត៌មាន',
    },
  },
  lo: {
    title: 'ຍົກເລີກການຮັບອີເມວ',
    question: (what, rooftop) => `ທ່ານຕ້ອງການຢຸດຮັບ${what}ຈາກ ${rooftop} ບໍ?`,
    button: 'ແມ່ນ, ຢຸດສົ່ງຫາຂ້ອຍ',
    doneTitle: 'ທ່ານໄດ້ຍົກເລີກການຮັບອີເມວແລ້ວ',
    done: (what, rooftop) => `ທ່ານຈະບໍ່ໄດ້ຮັບ${what}ຈາກ ${rooftop} ອີກຕໍ່ໄປ.`,
    transactional: 'ພວກເຮົາອາດຈະຍັງຕິດຕໍ່ທ່ານກ່ຽວກັບການນັດໝາຍ ແລະ ການສ້ອມແປງຂອງທ່ານ.',
    scope: {
      service_reminders: 'ການແຈ້ງເຕືອນການບຳລຸງຮັກສາລົດ',
      follow_ups: 'ອີເມວຕິດຕາມ',
      surveys: 'ຄຳເຊີນຕອບແບບສຳຫຼວດ',
      marketing: 'ຂໍ້ສະເໜີພິເສດ ແລະ ຂ່າວສານ',
      all: 'ການແຈ້ງເຕືອນ, ອີເມວຕິດຕາມ, ແບບສຳຫຼວດ, ຂໍ້ສະເໜີພິເສດ ແລະ ຂ່າວສານ',
    },
  },
};

const NOT_FOUND: Record<Language, { title: string; body: string }> = {
  en: {
    title: 'This link is not valid',
    body: 'The unsubscribe link is not valid or has expired. Please contact your dealership.',
  },
  km: { title: 'តំណនេះមិនត្រឹមត្រូវទេ', body: 'តំណឈប់ទទួលអ៊ីមែលនេះមិនត្រឹមត្រូវ ឬផុតកំណត់ហើយ។ សូមទាក់ទងហាងលក់រថយន្តរបស់អ្នក។' },
  lo: { title: 'ລິ້ງນີ້ບໍ່ຖືກຕ້ອງ', body: 'ລິ້ງຍົກເລີກການຮັບອີເມວນີ້ບໍ່ຖືກຕ້ອງ ຫຼື ໝົດອາຍຸແລ້ວ. ກະລຸນາຕິດຕໍ່ຮ້ານຂາຍລົດຂອງທ່ານ.' },
};

/** Pages are not rendered by a browser script, so a strict policy of their own (no upgrade of the form post). */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function page(language: Language | 'mul', title: string, inner: string): string {
  return `<!DOCTYPE html>
<html lang="${language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font-family:Arial,'Noto Sans Khmer','Noto Sans Lao',sans-serif;background:#f4f5f7;color:#1f2933;margin:0;padding:40px 16px}
main{max-width:520px;margin:0 auto;background:#fff;border-radius:6px;padding:28px}h1{font-size:22px;margin-top:0}
button{background:#1f6feb;color:#fff;border:0;border-radius:4px;padding:12px 20px;font-size:16px;cursor:pointer}
.muted{color:#616e7c;font-size:14px}</style></head>
<body><main>${inner}</main></body></html>`;
}

export function confirmPage(language: Language, scope: UnsubscribeScope, rooftop: string): string {
  const t = TEXT[language];
  const what = t.scope[scope];
  return page(
    language,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>
<p id="question">${escapeHtml(t.question(what, rooftop))}</p>
<form method="post"><input type="hidden" name="confirm" value="1"><button type="submit" id="unsubscribe">${escapeHtml(t.button)}</button></form>`,
  );
}

export function donePage(language: Language, scope: UnsubscribeScope, rooftop: string): string {
  const t = TEXT[language];
  const what = t.scope[scope];
  return page(
    language,
    t.doneTitle,
    `<h1 id="done">${escapeHtml(t.doneTitle)}</h1>
<p>${escapeHtml(t.done(what, rooftop))}</p>
<p class="muted">${escapeHtml(t.transactional)}</p>`,
  );
}

/** A forged or expired link: the customer is unknown, so the page speaks all three languages. */
export function notFoundPage(): string {
  const inner = (['en', 'km', 'lo'] as const)
    .map(
      (l) =>
        `<section lang="${l}"><h1>${escapeHtml(NOT_FOUND[l].title)}</h1><p>${escapeHtml(NOT_FOUND[l].body)}</p></section>`,
    )
    .join('\n');
  return page('mul', NOT_FOUND.en.title, inner);
}
