import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `lines.0.itemCode`. */
  field: string;
  message: string;
}

/**
 * A typed error from a service. The problem filter turns it into RFC 9457 problem+json; `code` is a
 * stable machine-readable identifier that clients may switch on.
 */
export class DomainError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(HttpStatus.CONFLICT, code, message, [], extra);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(errors: FieldError[], message = 'The request is invalid') {
    super(HttpStatus.BAD_REQUEST, 'validation_failed', message, errors);
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, message: string, errors: FieldError[] = [], extra: Record<string, unknown> = {}) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, code, message, errors, extra);
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(currentVersion: number) {
    super(
      HttpStatus.PRECONDITION_FAILED,
      'stale_version',
      'The resource was changed by someone else; reload it and retry with the current version',
      [],
      { currentVersion },
    );
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Your role may not do this') {
    super(HttpStatus.FORBIDDEN, 'forbidden', message);
  }
}
