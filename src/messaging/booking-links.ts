import { Injectable } from '@nestjs/common';

/** What a booking link may depend on: the message being sent. */
export interface BookingLinkRequest {
  messageId: string;
  kind: string;
  customerId: string;
  rooftopId: string;
  vehicleId: string | null;
  language: string;
  payload: Record<string, unknown>;
  asOf: Date;
}

export type BookingLinkProvider = (request: BookingLinkRequest) => Promise<string | null>;

/**
 * The booking link of an email. Messaging does not know about appointments: the appointments module registers a
 * provider (a link to its own booking page when the rooftop has a service calendar); without one, or when it
 * gives none, the rooftop's external bookingUrl is used as before.
 */
@Injectable()
export class BookingLinks {
  private provider: BookingLinkProvider | null = null;

  register(provider: BookingLinkProvider): void {
    this.provider = provider;
  }

  async linkFor(request: BookingLinkRequest, fallback: string | null): Promise<string | null> {
    if (!this.provider) return fallback;
    try {
      return (await this.provider(request)) ?? fallback;
    } catch {
      // A link is a convenience: an email is never held back because the booking page's provider failed.
      return fallback;
    }
  }
}
