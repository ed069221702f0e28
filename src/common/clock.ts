import { Injectable } from '@nestjs/common';

/**
 * Business time. Nothing asks `new Date()` for business decisions: it asks the clock, so that jobs can
 * run "as of" any instant and tests can travel in time (override the provider with a FixedClock).
 */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export class FixedClock extends Clock {
  constructor(private instant: Date) {
    super();
  }
  now(): Date {
    return new Date(this.instant);
  }
  set(instant: Date | string) {
    this.instant = new Date(instant);
  }
  advance(ms: number) {
    this.instant = new Date(this.instant.getTime() + ms);
  }
}
