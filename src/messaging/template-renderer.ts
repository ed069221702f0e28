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

/**
 * Intl formatters by locale, style and time zone: a constructor costs tens of microseconds and every email formats
 * its dates and distances with the same few. Kept for the process's life (locales × styles × the rooftops' zones).
 */
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();
const NUMBER_FORMATS = new Map<string, Intl.NumberFormat>();

function dateFormat(language: Language, style: string, timeZone: string, calendarDate: boolean) {
  const key = calendarDate ? `${language}|${style}|calendar` : `${language}|${style}|zone:${timeZone}`;
  let format = DATE_FORMATS.get(key);
  if (!format) {
    // A calendar date has no time zone: show it as written, not shifted into the rooftop's zone.
    const options = {
      ...(DATE_STYLES[style] ?? DATE_STYLES.medium),
      timeZone: calendarDate ? 'UTC' : timeZone,
    };
    if (calendarDate) delete options.timeStyle;
    format = new Intl.DateTimeFormat(LOCALES[language], options);
    DATE_FORMATS.set(key, format);
  }
  return format;
}

/** Formats a date (ISO instant, Date, or YYYY-MM-DD calendar date) for a language in a time zone. */
export function formatDate(value: unknown, language: Language, timeZone: string, style = 'medium'): string {
  if (value === null || value === undefined || value === '') return '';
  const calendarDate = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date =
    value instanceof Date ? value : new Date(calendarDate ? `${String(value)}T00:00:00Z` : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return dateFormat(language, style, timeZone, calendarDate).format(date);
}

export function formatDistance(value: unknown, language: Language, unit: DistanceUnit): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(n)) return '';
  let format = NUMBER_FORMATS.get(language);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 0 });
    NUMBER_FORMATS.set(language, format);
  }
  return `${format.format(n)} ${UNIT_LABELS[unit][language]}`;
}

/** What every template part sees (the layout also `subject`). */
interface RenderContext {
  customer: RenderInput['customer'];
  rooftop: RenderInput['rooftop'];
  payload: Record<string, unknown>;
  links: RenderInput['links'];
  unit: DistanceUnit;
  language: Language;
  manageBooking: boolean;
  subject?: string;
}

/**
 * The renderer's own Handlebars environment. Handlebars 4 wraps every helper of the environment and of the call
 * again on each top-level template call, so the helpers are registered here once and read the language, time zone
 * and unit from the call's root context (`@root`) instead of being built per email; the helpers no template uses
 * are left out. The body is the layout's partial, so an email is three top-level calls (subject, HTML, text).
 */
const hbs = Handlebars.create();
for (const unused of ['log', 'lookup', 'with']) hbs.unregisterHelper(unused);
hbs.registerHelper('date', function (value: unknown, style: unknown, ...rest: unknown[]) {
  // {{date x}} passes Handlebars' options as `style`; {{date x "long"}} passes them last.
  const options = (rest.length > 0 ? rest[rest.length - 1] : style) as Handlebars.HelperOptions;
  const root = rootOf(options);
  return formatDate(
    value,
    root.language,
    root.rooftop.timeZone,
    typeof style === 'string' ? style : 'medium',
  );
});
hbs.registerHelper('distance', function (value: unknown, ...rest: unknown[]) {
  const root = rootOf((rest.length > 0 ? rest[rest.length - 1] : value) as Handlebars.HelperOptions);
  return formatDistance(value, root.language, root.unit);
});
/** The layout's HTML body: the body partial's output as it is. */
hbs.registerHelper('bodyPart', function (this: unknown, options: Handlebars.HelperOptions) {
  return options.fn(this);
});
/** The layout's text body: the body partial's output without leading and trailing blank space. */
hbs.registerHelper('trimmedBodyPart', function (this: unknown, options: Handlebars.HelperOptions) {
  return options.fn(this).trim();
});

function rootOf(options: Handlebars.HelperOptions): RenderContext {
  return (options.data as { root: RenderContext }).root;
}

/** The layout with its body as the partial `body` (a block around it, so that no line is a standalone partial). */
const withBodyPartial = (layout: string, helper: string) => {
  if (!layout.includes('{{{body}}}')) throw new Error('the layout has no {{{body}}}');
  return layout.replace('{{{body}}}', `{{#${helper}}}{{> body}}{{/${helper}}}`);
};

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
    this.layoutHtml = compileAll(
      mapLanguages(LAYOUT_HTML, (l) => withBodyPartial(l, 'bodyPart')),
      false,
    );
    this.layoutText = compileAll(
      mapLanguages(LAYOUT_TEXT, (l) => withBodyPartial(l, 'trimmedBodyPart')),
      true,
    );
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
    const context: RenderContext = {
      customer: input.customer,
      rooftop: input.rooftop,
      payload: compiled.payload(input.payload),
      links: input.links,
      unit: input.unit,
      language,
      manageBooking: compiled.manageBooking,
    };
    const subject = compiled.subject[language](context, RUNTIME).replace(/\s+/g, ' ').trim();
    context.subject = subject;
    return {
      subject,
      html: this.layoutHtml[language](context, { ...RUNTIME, partials: { body: compiled.html[language] } }),
      text: this.layoutText[language](context, {
        ...RUNTIME,
        partials: { body: compiled.text[language] },
      }).replace(/\n{3,}/g, '\n\n'),
    };
  }
}

const RUNTIME: Handlebars.RuntimeOptions = { allowProtoPropertiesByDefault: false };

type HandlebarsTemplateDelegate = Handlebars.TemplateDelegate;

function mapLanguages(sources: Record<Language, string>, f: (source: string) => string) {
  const out = {} as Record<Language, string>;
  for (const language of Object.keys(sources) as Language[]) out[language] = f(sources[language]);
  return out;
}

function compileAll(
  sources: Record<Language, string>,
  noEscape: boolean,
): Record<Language, HandlebarsTemplateDelegate> {
  const out = {} as Record<Language, HandlebarsTemplateDelegate>;
  for (const language of Object.keys(sources) as Language[]) {
    out[language] = hbs.compile(sources[language], { noEscape, strict: false });
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
