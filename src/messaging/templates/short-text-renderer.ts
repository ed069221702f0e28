import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import type { Language } from '../../config/app-config';
import { LOCALES } from '../template-renderer';
import { DEFAULT_BUTTON, DEFAULT_CTA, type ShortLinkKind, type ShortTextTemplate } from './short-text';
import { SHORT_TEXTS } from './short-texts';

export interface ShortTextInput {
  kind: string;
  language: Language;
  customer: { firstName: string };
  rooftop: { name: string; phone: string; timeZone: string };
  payload: Record<string, unknown>;
}

/** A short text before its link is known: the words, which link goes with them, and how it is introduced. */
export interface RenderedShortText {
  text: string;
  link: ShortLinkKind;
  /** Words before the link in an SMS; null when the kind carries no link. */
  cta: string | null;
  /** The Telegram button's label; null when the kind carries no link. */
  button: string | null;
}

export class UnknownShortTextError extends Error {}

/**
 * Dates in short texts: English names the month ("14 Dec"); Khmer and Lao month names are long in UCS-2, so they
 * get the numeric form (14/12) their readers use in texts anyway.
 */
const NUMERIC: Language[] = ['km', 'lo'];
const DAY = (language: Language): Intl.DateTimeFormatOptions => ({
  day: NUMERIC.includes(language) ? '2-digit' : 'numeric',
  month: NUMERIC.includes(language) ? '2-digit' : 'short',
  year: 'numeric',
});
const WHEN = (language: Language): Intl.DateTimeFormatOptions => ({
  day: NUMERIC.includes(language) ? '2-digit' : 'numeric',
  month: NUMERIC.includes(language) ? '2-digit' : 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The vehicle a short text names: its model ("Hilux"), which the rooftop's name already puts in context. */
export function vehicleOf(payload: Record<string, unknown>): string | null {
  const vehicle = payload.vehicle as { make?: unknown; model?: unknown } | null | undefined;
  const items = Array.isArray(payload.items) ? (payload.items as { model?: unknown; make?: unknown }[]) : [];
  for (const v of [vehicle, items[0]]) {
    if (typeof v?.model === 'string' && v.model) return v.model;
    if (typeof v?.make === 'string' && v.make) return v.make;
  }
  return null;
}

/** Renders the short form of a message kind in the customer's language (plain text, single line). */
@Injectable()
export class ShortTextRenderer {
  private readonly templates = new Map<
    string,
    { template: ShortTextTemplate; text: Record<Language, Handlebars.TemplateDelegate> }
  >();

  constructor() {
    for (const template of SHORT_TEXTS) {
      const text = {} as Record<Language, Handlebars.TemplateDelegate>;
      for (const language of Object.keys(template.text) as Language[]) {
        text[language] = Handlebars.compile(template.text[language], { noEscape: true, strict: false });
      }
      this.templates.set(template.kind, { template, text });
    }
  }

  kinds(): string[] {
    return [...this.templates.keys()];
  }

  render(input: ShortTextInput): RenderedShortText {
    const entry = this.templates.get(input.kind);
    if (!entry) throw new UnknownShortTextError(`no short text for kind '${input.kind}'`);
    const { template } = entry;
    const context = {
      customer: input.customer,
      rooftop: input.rooftop,
      payload: input.payload,
      vehicle: vehicleOf(input.payload),
    };
    const text = entry.text[input.language](context, {
      helpers: helpersFor(input),
      allowProtoPropertiesByDefault: false,
    });
    const link = template.link;
    return {
      text: text.replace(/\s+/g, ' ').trim(),
      link,
      cta: link === 'none' ? null : (template.cta ?? DEFAULT_CTA[link])[input.language],
      button: link === 'none' ? null : (template.button ?? DEFAULT_BUTTON[link])[input.language],
    };
  }
}

/** The SMS of a short text: its words, then (when it has a link) the link's words and the short link. */
export function smsText(short: RenderedShortText, shortUrl: string | null): string {
  return shortUrl && short.cta ? `${short.text} ${short.cta} ${shortUrl}` : short.text;
}

function helpersFor(input: ShortTextInput): Record<string, Handlebars.HelperDelegate> {
  return {
    day: (value: unknown) => format(value, input.language, 'UTC', 'day'),
    when: (value: unknown) => format(value, input.language, input.rooftop.timeZone, 'when'),
    eq: (a: unknown, b: unknown) => a === b,
    number: (value: unknown) =>
      typeof value === 'number' ? numberFormat(input.language).format(value) : String(value ?? ''),
  };
}

/**
 * Intl formatters by language, style and time zone: a constructor costs tens of microseconds and every text formats
 * with the same few (as the email renderer's). Kept for the process's life (languages × 2 styles × the rooftops' zones).
 */
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();
const NUMBER_FORMATS = new Map<Language, Intl.NumberFormat>();

function numberFormat(language: Language): Intl.NumberFormat {
  let format = NUMBER_FORMATS.get(language);
  if (!format) NUMBER_FORMATS.set(language, (format = new Intl.NumberFormat(LOCALES[language])));
  return format;
}

function dateFormat(language: Language, style: 'day' | 'when', timeZone: string): Intl.DateTimeFormat {
  const key = `${language}|${style}|${timeZone}`;
  let format = DATE_FORMATS.get(key);
  if (!format) {
    const options = style === 'day' ? DAY(language) : WHEN(language);
    format = new Intl.DateTimeFormat(LOCALES[language], { ...options, timeZone });
    DATE_FORMATS.set(key, format);
  }
  return format;
}

/** A date (calendar date as written; an instant in the rooftop's zone) in the customer's language. */
function format(value: unknown, language: Language, timeZone: string, style: 'day' | 'when') {
  if (value === null || value === undefined || value === '') return '';
  const calendarDate = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(calendarDate ? `${String(value)}T00:00:00Z` : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return dateFormat(language, style, calendarDate ? 'UTC' : timeZone).format(date);
}
