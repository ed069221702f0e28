import type { Language } from '../config/app-config';
import { escapeHtml } from '../common/http/html';

/**
 * The customer's booking page (no login, no script, no external assets) in en, km and lo: free slots grouped
 * by local day as radio buttons, the items to tick, a note; or, once booked, the appointment with a form to
 * move it and one to cancel it. Plain forms: it works without JavaScript and with the keyboard alone.
 */
interface PageText {
  title: string;
  intro: (rooftop: string) => string;
  day: string;
  items: string;
  note: string;
  book: string;
  booked: string;
  bookedBody: (when: string, rooftop: string) => string;
  yours: string;
  move: string;
  moveSubmit: string;
  cancel: string;
  cancelSubmit: string;
  cancelled: string;
  /** `phone` is '' when the rooftop has none: the text then sends the customer to the workshop instead. */
  tooLate: (phone: string) => string;
  noSlots: (phone: string) => string;
  slotFull: string;
  notFound: string;
  back: string;
}

const TEXT: Record<Language, PageText> = {
  en: {
    title: 'Book your service appointment',
    intro: (r) => `Choose a time at ${r}. Times are local to the workshop.`,
    day: 'Day',
    items: 'What should we do?',
    note: 'Anything else we should know? (optional)',
    book: 'Book this time',
    booked: 'Your appointment is booked',
    bookedBody: (w, r) => `We expect you on ${w} at ${r}. A confirmation is on its way by email.`,
    yours: 'Your appointment',
    move: 'Choose another time',
    moveSubmit: 'Move my appointment',
    cancel: 'Cannot come?',
    cancelSubmit: 'Cancel my appointment',
    cancelled: 'Your appointment is cancelled',
    tooLate: (p) =>
      `It is too late to change this appointment online. ${p ? `Please call us on ${p}.` : 'Please contact the workshop.'}`,
    noSlots: (p) =>
      `No free time in the next two weeks. ${p ? `Please call us on ${p}.` : 'Please contact the workshop.'}`,
    slotFull: 'Sorry, that time was just taken. Please choose another one.',
    notFound: 'This booking link is not valid.',
    back: 'Back to the booking page',
  },
  km: {
    title: 'កក់ពេលថែទាំរថយន្តរបស់អ្នក',
    intro: (r) => `សូមជ្រើសរើសពេលវេលានៅ ${r}។ ម៉ោងគឺជាម៉ោងក្នុងស្រុករបស់រោងជាង។`,
    day: 'ថ្ងៃ',
    items: 'តើយើងគួរធ្វើអ្វីខ្លះ?',
    note: 'តើមានអ្វីផ្សេងទៀតដែលយើងគួរដឹងទេ? (មិនចាំបាច់)',
    book: 'កក់ពេលនេះ',
    booked: 'ការណាត់ជួបរបស់អ្នកត្រូវបានកក់ហើយ',
    bookedBody: (w, r) => `យើងរង់ចាំអ្នកនៅ ${w} នៅ ${r}។ ការបញ្ជាក់នឹងផ្ញើទៅអ្នកតាមអ៊ីមែល។`,
    yours: 'ការណាត់ជួបរបស់អ្នក',
    move: 'ជ្រើសរើសពេលវេលាផ្សេង',
    moveSubmit: 'ប្តូរពេលណាត់ជួបរបស់ខ្ញុំ',
    cancel: 'មកមិនបានទេ?',
    cancelSubmit: 'បោះបង់ការណាត់ជួបរបស់ខ្ញុំ',
    cancelled: 'ការណាត់ជួបរបស់អ្នកត្រូវបានបោះបង់',
    tooLate: (p) =>
      `យឺតពេលហើយក្នុងការប្តូរការណាត់ជួបនេះតាមអនឡាញ។ ${p ? `សូមទូរស័ព្ទមកយើងតាមលេខ ${p}។` : 'សូមទាក់ទងរោងជាង។'}`,
    noSlots: (p) =>
      `មិនមានពេលទំនេរក្នុងរយៈពេលពីរសប្តាហ៍ខាងមុខទេ។ ${p ? `សូមទូរស័ព្ទមកយើងតាមលេខ ${p}។` : 'សូមទាក់ទងរោងជាង។'}`,
    slotFull: 'សូមអភ័យទោស ពេលវេលានោះទើបតែត្រូវបានកក់។ សូមជ្រើសរើសពេលផ្សេង។',
    notFound: 'តំណកក់នេះមិនត្រឹមត្រូវទេ។',
    back: 'ត្រឡប់ទៅទំព័រកក់វិញ',
  },
  lo: {
    title: 'ນັດໝາຍເຂົ້າບໍລິການລົດຂອງທ່ານ',
    intro: (r) => `ເລືອກເວລາທີ່ ${r}. ເວລາແມ່ນເວລາທ້ອງຖິ່ນຂອງສູນບໍລິການ.`,
    day: 'ວັນ',
    items: 'ພວກເຮົາຄວນເຮັດຫຍັງແດ່?',
    note: 'ມີຫຍັງອີກທີ່ພວກເຮົາຄວນຮູ້ບໍ່? (ບໍ່ບັງຄັບ)',
    book: 'ນັດໝາຍເວລານີ້',
    booked: 'ການນັດໝາຍຂອງທ່ານຖືກຈອງແລ້ວ',
    bookedBody: (w, r) => `ພວກເຮົາລໍຖ້າທ່ານໃນ ${w} ທີ່ ${r}. ການຢືນຢັນຈະສົ່ງໄປຫາທ່ານທາງອີເມວ.`,
    yours: 'ການນັດໝາຍຂອງທ່ານ',
    move: 'ເລືອກເວລາອື່ນ',
    moveSubmit: 'ປ່ຽນເວລານັດໝາຍຂອງຂ້ອຍ',
    cancel: 'ມາບໍ່ໄດ້ບໍ?',
    cancelSubmit: 'ຍົກເລີກການນັດໝາຍຂອງຂ້ອຍ',
    cancelled: 'ການນັດໝາຍຂອງທ່ານຖືກຍົກເລີກແລ້ວ',
    tooLate: (p) => `ຊ້າເກີນໄປທີ່ຈະປ່ຽນການນັດໝາຍນີ້ທາງອອນລາຍ. ${p ? `ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ ${p}.` : 'ກະລຸນາຕິດຕໍ່ສູນບໍລິການ.'}`,
    noSlots: (p) => `ບໍ່ມີເວລາວ່າງໃນສອງອາທິດຂ້າງໜ້າ. ${p ? `ກະລຸນາໂທຫາພວກເຮົາທີ່ເບີ ${p}.` : 'ກະລຸນາຕິດຕໍ່ສູນບໍລິການ.'}`,
    slotFull: 'ຂໍອະໄພ, ເວລານັ້ນຫາກໍຖືກຈອງ. ກະລຸນາເລືອກເວລາອື່ນ.',
    notFound: 'ລິ້ງນັດໝາຍນີ້ບໍ່ຖືກຕ້ອງ.',
    back: 'ກັບໄປໜ້ານັດໝາຍ',
  },
};

const LOCALES: Record<Language, string> = { en: 'en-GB', km: 'km-KH', lo: 'lo-LA' };

const STYLE = `*{box-sizing:border-box}body{font-family:system-ui,"Noto Sans Khmer","Noto Sans Lao",sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1d2733;line-height:1.5;overflow-wrap:anywhere}
fieldset{border:1px solid #ccd3db;border-radius:.5rem;margin:1rem 0;padding:.75rem;min-width:0}legend{font-weight:600;padding:0 .25rem}
.slots{display:flex;flex-wrap:wrap;gap:.4rem}.slots label{display:inline-flex;align-items:center;gap:.3rem;padding:.4rem .5rem;border:1px solid #ccd3db;border-radius:.4rem;cursor:pointer}
.items label{display:flex;gap:.5rem;align-items:center;padding:.2rem 0}textarea{width:100%;min-height:5rem;font:inherit}
button{background:#0b5cad;color:#fff;border:0;border-radius:.4rem;padding:.7rem 1.2rem;font-size:1rem;cursor:pointer;max-width:100%}
button.secondary{background:#8a1c1c}:focus-visible{outline:3px solid #f0a000;outline-offset:2px}.notice{background:#fff4d6;border-left:4px solid #f0a000;padding:.5rem .75rem}`;

function shell(language: Language, title: string, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface PageSlot {
  start: Date;
  localDate: string;
  localTime: string;
  free: number;
}

export interface PageItem {
  code: string;
  name: string;
  checked: boolean;
}

export interface BookingPageModel {
  language: Language;
  rooftopName: string;
  rooftopPhone: string;
  timeZone: string;
  action: string;
  slots: PageSlot[];
  items: PageItem[];
  /** The appointment this link booked and that still stands. */
  appointment: { slotStart: Date; changeable: boolean } | null;
  notice?: 'slotFull';
}

/** "Tuesday 16 June 2026, 09:00" in the customer's language and the rooftop's zone. */
export function formatWhen(language: Language, timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

function dayLabel(language: Language, timeZone: string, slot: PageSlot): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  }).format(slot.start);
}

/** The free slots, one fieldset per local day; the first free slot is preselected so the form can be sent at once. */
function slotPicker(model: BookingPageModel): string {
  const free = model.slots.filter((s) => s.free > 0);
  const days = new Map<string, PageSlot[]>();
  for (const slot of free) days.set(slot.localDate, [...(days.get(slot.localDate) ?? []), slot]);
  let first = true;
  return [...days.values()]
    .map((slots) => {
      const legend = escapeHtml(dayLabel(model.language, model.timeZone, slots[0]));
      const radios = slots
        .map((s) => {
          const checked = first ? ' checked' : '';
          first = false;
          return `<label><input type="radio" name="slotStart" value="${s.start.toISOString()}" required${checked}>${s.localTime}</label>`;
        })
        .join('');
      return `<fieldset><legend>${legend}</legend><div class="slots">${radios}</div></fieldset>`;
    })
    .join('');
}

export function renderBookingPage(model: BookingPageModel): string {
  const t = TEXT[model.language];
  const rooftop = escapeHtml(model.rooftopName);
  const phone = escapeHtml(model.rooftopPhone);
  const notice = model.notice ? `<p class="notice" role="alert">${escapeHtml(t[model.notice])}</p>` : '';
  const hasFree = model.slots.some((s) => s.free > 0);
  const action = escapeHtml(model.action);

  if (model.appointment) {
    const when = escapeHtml(formatWhen(model.language, model.timeZone, model.appointment.slotStart));
    const heading = `<h1>${escapeHtml(t.yours)}</h1><p id="when"><strong>${when}</strong></p>${notice}`;
    if (!model.appointment.changeable)
      return shell(model.language, t.title, `${heading}<p>${t.tooLate(phone)}</p>`);
    const move = hasFree
      ? `<form method="post" action="${action}"><input type="hidden" name="action" value="reschedule">
<h2>${escapeHtml(t.move)}</h2>${slotPicker(model)}<button type="submit">${escapeHtml(t.moveSubmit)}</button></form>`
      : `<p>${t.noSlots(phone)}</p>`;
    const cancel = `<form method="post" action="${action}"><input type="hidden" name="action" value="cancel">
<h2>${escapeHtml(t.cancel)}</h2><button type="submit" class="secondary">${escapeHtml(t.cancelSubmit)}</button></form>`;
    return shell(model.language, t.title, `${heading}${move}${cancel}`);
  }

  if (!hasFree)
    return shell(
      model.language,
      t.title,
      `<h1>${escapeHtml(t.title)}</h1>${notice}<p>${t.noSlots(phone)}</p>`,
    );
  const items = model.items.length
    ? `<fieldset class="items"><legend>${escapeHtml(t.items)}</legend>${model.items
        .map(
          (i) =>
            `<label><input type="checkbox" name="itemCodes" value="${escapeHtml(i.code)}"${i.checked ? ' checked' : ''}>${escapeHtml(i.name)}</label>`,
        )
        .join('')}</fieldset>`
    : '';
  return shell(
    model.language,
    t.title,
    `<h1>${escapeHtml(t.title)}</h1>${notice}<p>${t.intro(rooftop)}</p>
<form method="post" action="${action}"><input type="hidden" name="action" value="book">
${slotPicker(model)}${items}
<p><label for="note">${escapeHtml(t.note)}</label><br><textarea id="note" name="note" maxlength="1000"></textarea></p>
<button type="submit">${escapeHtml(t.book)}</button></form>`,
  );
}

export function renderBookingOutcome(
  language: Language,
  outcome: 'booked' | 'cancelled' | 'notFound',
  /** `extraHtml`: after the confirmation, the Telegram opt-in link (already HTML). */
  detail?: { when: Date; timeZone: string; rooftopName: string; back: string; extraHtml?: string },
): string {
  const t = TEXT[language];
  const heading = t[outcome];
  const body =
    outcome === 'booked' && detail
      ? `<p>${escapeHtml(t.bookedBody(formatWhen(language, detail.timeZone, detail.when), detail.rooftopName))}</p>${detail.extraHtml ?? ''}`
      : '';
  const back = detail ? `<p><a href="${escapeHtml(detail.back)}">${escapeHtml(t.back)}</a></p>` : '';
  return shell(
    language,
    heading,
    `<h1 id="outcome" data-outcome="${outcome}">${escapeHtml(heading)}</h1>${body}${back}`,
  );
}
