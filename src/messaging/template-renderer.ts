import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import type { DistanceUnit, Language } from '../config/app-config';
import { EMAIL_TEMPLATES, type EmailTemplate } from './templates';
import { LAYOUT_HTML, LAYOUT_TEXT } from './templates/layout';

export const LOCALES: Record<Language, string> = { en: 'en-GB', km: 'km-KH', lo: 'lo-LA' };

/**
 * No label ends with a dot: a distance often ends a sentence ("Last known odometer: 30.000 ກມ."), and an
 * abbreviation's own dot then doubled the full stop. Khmer and Lao write the short forms without it anyway.
 */
const UNIT_LABELS: Record<DistanceUnit, Record<Language, string>> = {
  km: { en: 'km', km: 'គ.ម', lo: 'ກມ' },
  mi: { en: 'mi', km: 'ម៉ាយ', lo: 'ໄມລ໌' },
};

const DATE_STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'short' },
  medium: { dateStyle: 'medium' },
  long: { dateStyle: 'long' },
  full: { dateStyle: 'full' },
  datetime: { dateStyle: 'medium', timeStyle: 'short' },
};

export interface RenderInput {
  kind: string;
  language: Language;
  unit: DistanceUnit;
  customer: { firstName: string; lastName: string };
  rooftop: {
    name: string;
    address: string;
    phone: string;
    bookingUrl: string | null;
    timeZone: string;
    currency: string;
  };
  payload: Record<string, unknown>;
  /** `telegram`: the opt-in deep link for the footer (customers without a linked chat, when a bot is set up). */
  links: { unsubscribe: string; booking: string | null; telegram?: string | null };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export class UnknownTemplateError extends Error {}

interface Compiled {
  manageBooking: boolean;
  payload: (stored: Record<string, unknown>) => Record<string, unknown>;
  subject: Record<Language, HandlebarsTemplateDelegate>;
  html: Record<Language, HandlebarsTemplateDelegate>;
  text: Record<Language, HandlebarsTemplateDelegate>;
}

/** Formats a date (ISO instant, Date, or YYYY-MM-DD calendar date) for a language in a time zone. */
export function formatDate(value: unknown, language: Language, timeZone: string, style = 'medium'): string {
  if (value === null || value === undefined || value === '') return '';
  const calendarDate = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date =
    value instanceof Date ? value : new Date(calendarDate ? `${String(value)}T00:00:00Z` : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  // A calendar date has no time zone: show it as written, not shifted into the rooftop's zone.
  const options = {
    ...(DATE_STYLES[style] ?? DATE_STYLES.medium),
    timeZone: calendarDate ? 'UTC' : timeZone,
  };
  if (calendarDate) delete options.timeStyle;
  return new Intl.DateTimeFormat(LOCALES[language], options).format(date);
}

export function formatDistance(value: unknown, language: Language, unit: DistanceUnit): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(n)) return '';
  return `${new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 0 }).format(n)} ${UNIT_LABELS[unit][language]}`;
}

/**
 * Renders an outbox message: the template of its kind in the customer's language, inside the common layout.
 * HTML parts escape every value; subject and text parts are plain text and are not HTML-escaped.
 */
@Injectable()
export class TemplateRenderer {
  private readonly templates = new Map<string, Compiled>();
  private readonly layoutHtml: Record<Language, HandlebarsTemplateDelegate>;
  private readonly layoutText: Record<Language, HandlebarsTemplateDelegate>;

  constructor() {
    this.layoutHtml = compileAll(LAYOUT_HTML, false);
    this.layoutText = compileAll(LAYOUT_TEXT, true);
    for (const template of EMAIL_TEMPLATES) this.templates.set(template.kind, compile(template));
  }

  kinds(): string[] {
    return [...this.templates.keys()];
  }

  has(kind: string): boolean {
    return this.templates.has(kind);
  }

  render(input: RenderInput): RenderedEmail {
    const compiled = this.templates.get(input.kind);
    if (!compiled) throw new UnknownTemplateError(`no email template for kind '${input.kind}'`);
    const language = input.language;
    const context = {
      customer: input.customer,
      rooftop: input.rooftop,
      payload: compiled.payload(input.payload),
      links: input.links,
      unit: input.unit,
      language,
      manageBooking: compiled.manageBooking,
    };
    const options: RuntimeOptions = { helpers: helpersFor(input), allowProtoPropertiesByDefault: false };
    const subject = compiled.subject[language](context, options).replace(/\s+/g, ' ').trim();
    const htmlBody = compiled.html[language](context, options);
    const textBody = compiled.text[language](context, options);
    return {
      subject,
      html: this.layoutHtml[language]({ ...context, subject, body: htmlBody }, options),
      text: this.layoutText[language]({ ...context, subject, body: textBody.trim() }, options).replace(
        /\n{3,}/g,
        '\n\n',
      ),
    };
  }
}

type RuntimeOptions = Handlebars.RuntimeOptions;
type HandlebarsTemplateDelegate = Handlebars.TemplateDelegate;

function helpersFor(input: RenderInput): Record<string, Handlebars.HelperDelegate> {
  return {
    date: (value: unknown, style: unknown) =>
      formatDate(value, input.language, input.rooftop.timeZone, typeof style === 'string' ? style : 'medium'),
    distance: (value: unknown) => formatDistance(value, input.language, input.unit),
  };
}

function compileAll(
  sources: Record<Language, string>,
  noEscape: boolean,
): Record<Language, HandlebarsTemplateDelegate> {
  const out = {} as Record<Language, HandlebarsTemplateDelegate>;
  for (const language of Object.keys(sources) as Language[]) {
    out[language] = Handlebars.compile(sources[language], { noEscape, strict: false });
  }
  return out;
}

function compile(template: EmailTemplate): Compiled {
  return {
    manageBooking: template.bookingButton === 'manage',
    payload: template.payload ?? ((stored) => stored),
    subject: compileAll(template.subject, true),
    html: compileAll(template.html, false),
    text: compileAll(template.text, true),
  };
}
