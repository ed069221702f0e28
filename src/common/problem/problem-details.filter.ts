import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { DomainError, FieldError } from './domain-error';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: FieldError[];
  requestId?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  428: 'precondition_required',
  429: 'rate_limited',
  503: 'unavailable',
};

/**
 * The one error shape (RFC 9457 problem+json). Client mistakes map to 4xx with the offending fields;
 * anything unexpected is a 500 whose details go to the log (without request bodies), never to the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost) {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const problem = this.toProblem(exception);
    problem.instance = request?.url?.split('?')[0];
    problem.requestId = request?.id;
    if (exception instanceof DomainError && problem.status >= 500) {
      // A 5xx the code chose on purpose (not ready, a dependency down): a line, not a stack trace.
      this.logger.warn({ msg: 'service unavailable', requestId: request?.id, code: exception.code });
    } else if (problem.status >= 500) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error({
        msg: 'unhandled error',
        requestId: request?.id,
        error: err.name,
        stack: err.stack,
      });
    }
    const headers: Record<string, string> = {};
    if (typeof problem.retryAfter === 'number') headers['retry-after'] = String(problem.retryAfter);
    void reply.status(problem.status).headers(headers).type('application/problem+json').send(problem);
  }

  toProblem(exception: unknown): Problem {
    if (exception instanceof DomainError) {
      return {
        type: `https://dealer-crm.dev/problems/${exception.code.replace(/_/g, '-')}`,
        title: TITLES[exception.status] ?? 'Error',
        status: exception.status,
        detail: exception.message,
        code: exception.code,
        ...(exception.errors.length ? { errors: exception.errors } : {}),
        ...exception.extra,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail =
        typeof body === 'string'
          ? body
          : typeof (body as { message?: unknown }).message === 'string'
            ? (body as { message: string }).message
            : exception.message;
      return this.generic(status, detail);
    }
    if (exception instanceof QueryFailedError) {
      const driverError = (
        exception as QueryFailedError & { driverError?: { code?: string; constraint?: string } }
      ).driverError;
      switch (driverError?.code ?? '') {
        case '23505':
          return {
            ...this.generic(409, 'A record with the same unique value already exists'),
            code: 'duplicate',
            constraint: driverError.constraint,
          };
        case '22P02':
        case '22007':
        case '22008':
        case '22003':
        case '22001':
          return this.generic(400, 'A value has the wrong format or is out of range');
        case '23503':
          return { ...this.generic(422, 'A referenced record does not exist'), code: 'missing_reference' };
        default:
          break;
      }
    }
    // Fastify's own client errors (bad JSON, body too large, wrong content type) carry a statusCode.
    const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
    if (
      typeof fastifyError?.statusCode === 'number' &&
      fastifyError.statusCode >= 400 &&
      fastifyError.statusCode < 500
    ) {
      const detail =
        fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
        fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The request body is not valid JSON'
          : (fastifyError.message ?? 'Bad request');
      return this.generic(fastifyError.statusCode, detail);
    }
    return this.generic(HttpStatus.INTERNAL_SERVER_ERROR, 'An unexpected error occurred; it has been logged');
  }

  private generic(status: number, detail: string): Problem {
    const code = CODES_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'error');
    return {
      type: status >= 500 ? 'about:blank' : `https://dealer-crm.dev/problems/${code.replace(/_/g, '-')}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      code,
    };
  }
}
