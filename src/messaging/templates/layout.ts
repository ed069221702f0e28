import { telegramTexts } from '../channels/telegram/telegram-texts';
import type { Localized } from './email-template';

/** The Telegram opt-in of the footer: the deep link's label and the wording the consent records. */
const telegram = (lang: string) => ({
  label: telegramTexts(lang).linkLabel,
  wording: telegramTexts(lang).optIn('{{rooftop.name}}'),
});

interface Labels {
  book: string;
  manage: string;
  phone: string;
  why: string;
  unsubscribe: string;
}

/** The booking button's words: a new visit, or the appointment the email is about (template's `bookingButton`). */
const button = (labels: Labels) => `{{#if manageBooking}}${labels.manage}{{else}}${labels.book}{{/if}}`;

/**
 * The common frame of every email: the template's body, then the rooftop's name, address, phone,
 * booking link and the unsubscribe link. `body` is the rendered template (already escaped HTML). Address and
 * phone are optional: a missing one leaves no empty line.
 */
const htmlFrame = (labels: Labels, lang: string) => `<!DOCTYPE html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,'Noto Sans Khmer','Noto Sans Lao',sans-serif;color:#1f2933">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:6px">
<tr><td style="padding:20px 24px;border-bottom:1px solid #e4e7eb;font-size:20px;font-weight:bold">{{rooftop.name}}</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.6">
{{{body}}}
{{#if links.booking}}<p style="margin-top:24px"><a href="{{links.booking}}" style="display:inline-block;background:#1f6feb;color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none">${button(labels)}</a></p>{{/if}}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e4e7eb;font-size:12px;color:#616e7c;line-height:1.5">
<strong>{{rooftop.name}}</strong>{{#if rooftop.address}}<br>{{rooftop.address}}{{/if}}{{#if rooftop.phone}}<br>${labels.phone}: {{rooftop.phone}}{{/if}}<br><br>
{{#if links.telegram}}<a href="{{links.telegram}}" style="color:#1f6feb">${telegram(lang).label}</a><br>${telegram(lang).wording}<br><br>{{/if}}
${labels.why}<br>
<a href="{{links.unsubscribe}}" style="color:#616e7c">${labels.unsubscribe}</a>
</td></tr>
</table></td></tr></table>
</body>
</html>`;

const textFrame = (labels: Labels, lang: string) => `{{{body}}}
{{#if links.booking}}

${button(labels)}: {{links.booking}}
{{/if}}

--
{{rooftop.name}}
{{#if rooftop.address}}{{rooftop.address}}
{{/if}}
{{#if rooftop.phone}}${labels.phone}: {{rooftop.phone}}
{{/if}}
{{#if links.telegram}}

${telegram(lang).label}: {{links.telegram}}
${telegram(lang).wording}
{{/if}}

${labels.why}
${labels.unsubscribe}: {{links.unsubscribe}}
`;

const LABELS = {
  en: {
    book: 'Book a service visit',
    manage: 'Move or cancel your appointment',
    phone: 'Phone',
    why: 'You receive this email because you are a customer of {{rooftop.name}}.',
    unsubscribe: 'Unsubscribe from these emails',
  },
  km: {
    book: 'កក់ពេលមកថែទាំរថយន្ត',
    manage: 'ប្តូរ ឬបោះបង់ការណាត់របស់អ្នក',
    phone: 'ទូរស័ព្ទ',
    why: 'អ្នកទទួលបានអ៊ីមែលនេះ ដោយសារអ្នកជាអតិថិជនរបស់ {{rooftop.name}}។',
    unsubscribe: 'ឈប់ទទួលអ៊ីមែលប្រភេទនេះ',
  },
  lo: {
    book: 'ນັດໝາຍເຂົ້າມາບໍລິການລົດ',
    manage: 'ປ່ຽນ ຫຼື ຍົກເລີກການນັດໝາຍຂອງທ່ານ',
    phone: 'ໂທລະສັບ',
    why: 'ທ່ານໄດ້ຮັບອີເມວນີ້ ເພາະທ່ານເປັນລູກຄ້າຂອງ {{rooftop.name}}.',
    unsubscribe: 'ຍົກເລີກການຮັບອີເມວປະເພດນີ້',
  },
};

export const LAYOUT_HTML: Localized = {
  en: htmlFrame(LABELS.en, 'en'),
  km: htmlFrame(LABELS.km, 'km'),
  lo: htmlFrame(LABELS.lo, 'lo'),
};

export const LAYOUT_TEXT: Localized = {
  en: textFrame(LABELS.en, 'en'),
  km: textFrame(LABELS.km, 'km'),
  lo: textFrame(LABELS.lo, 'lo'),
};
