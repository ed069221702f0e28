import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { LinkSigner } from '../common/link-signer';
import { LANGUAGES, type Language } from '../config/app-config';
import { BookingLinkRequest, BookingLinks } from '../messaging/booking-links';

/** What a booking link carries (signed, so the customer cannot change it; `k` is the token's own kind). */
export interface BookingClaims extends Record<string, unknown> {
  /** customer, rooftop, vehicle (or null) */
  c: string;
  r: string;
  v: string | null;
  /** suggested item codes (ticked on the page) */
  i: string[];
  l: Language;
  /** the message that carried the link, and its kind (attribution) */
  m: string | null;
  mk: string | null;
  /** expiry, epoch ms */
  x: number;
}

const TOKEN_KIND = 'booking';
const LINK_DAYS = 60;
/** The emails whose booking link leads to the booking page (reminders, declined work, follow-ups, appointments). */
const BOOKABLE_KINDS = new Set([
  'service_reminder',
  'declined_service',
  'sale_check_in',
  'sale_thank_you',
  'purchase_anniversary',
  'warranty_expiring',
  'term_end',
  'win_back',
  'appointment_confirmation',
  'appointment_reminder',
  'appointment_no_show',
]);
/** A rooftop's calendar is looked up at most this often per instance while emails are sent. */
const CALENDAR_CACHE_MS = 30_000;

/** Signs booking links and gives messaging the link of each email (when the rooftop has a service calendar). */
@Injectable()
export class BookingLinkService implements OnModuleInit {
  private readonly hasCalendar = new Map<string, { value: boolean; until: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly signer: LinkSigner,
    private readonly links: BookingLinks,
  ) {}

  onModuleInit() {
    this.links.register((request) => this.linkFor(request));
  }

  sign(claims: Omit<BookingClaims, 'x'>, asOf: Date): string {
    return this.signer.sign(TOKEN_KIND, { ...claims, x: asOf.getTime() + LINK_DAYS * 86_400_000 });
  }

  url(token: string): string {
    return this.signer.url(`/api/v1/book/${encodeURIComponent(token)}`);
  }

  /** The claims of a genuine, unexpired link; null otherwise. */
  verify(token: string): BookingClaims | null {
    const claims = this.signer.verify<BookingClaims>(TOKEN_KIND, token);
    if (!claims || typeof claims.c !== 'string' || typeof claims.r !== 'string') return null;
    if (typeof claims.x !== 'number' || claims.x <= this.clock.now().getTime()) return null;
    if (!LANGUAGES.includes(claims.l)) claims.l = 'en';
    return claims;
  }

  async linkFor(request: BookingLinkRequest): Promise<string | null> {
    if (!BOOKABLE_KINDS.has(request.kind) || !(await this.rooftopHasCalendar(request.rooftopId))) return null;
    const { vehicleId, items } = suggestion(request);
    const token = this.sign(
      {
        c: request.customerId,
        r: request.rooftopId,
        v: vehicleId,
        i: items,
        l: request.language,
        m: request.messageId,
        mk: request.kind,
      },
      request.asOf,
    );
    return this.url(token);
  }

  private async rooftopHasCalendar(rooftopId: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.hasCalendar.get(rooftopId);
    if (cached && cached.until > now) return cached.value;
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM service_calendar WHERE rooftop_id = $1`, [
      rooftopId,
    ]);
    this.hasCalendar.set(rooftopId, { value: rows.length > 0, until: now + CALENDAR_CACHE_MS });
    return rows.length > 0;
  }
}

/** The vehicle and the items an email suggests: a reminder's due items (of one vehicle), declined work, none. */
function suggestion(request: BookingLinkRequest): { vehicleId: string | null; items: string[] } {
  const raw = Array.isArray(request.payload.items)
    ? (request.payload.items as Record<string, unknown>[])
    : [];
  const vehicleId =
    request.vehicleId ??
    (typeof request.payload.vehicleId === 'string' ? request.payload.vehicleId : null) ??
    (typeof raw[0]?.vehicleId === 'string' ? raw[0].vehicleId : null);
  const items = raw
    .filter((i) => !vehicleId || !i.vehicleId || i.vehicleId === vehicleId)
    .map((i) => i.itemCode)
    .filter((c): c is string => typeof c === 'string');
  return { vehicleId, items: [...new Set(items)].slice(0, 20) };
}
