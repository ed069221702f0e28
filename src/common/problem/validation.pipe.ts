import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedError } from './domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return own.concat(flatten(e.children ?? [], field));
  });
}

// A lone UTF-16 surrogate cannot be stored as UTF-8 (PostgreSQL refuses it with an error), nor can NUL.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

/** Every string (and key) in a body, query or path that PostgreSQL could not store, by field path. */
export function unstorableText(
  value: unknown,
  path: string,
  out: FieldError[] = [],
  depth = 0,
): FieldError[] {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) out.push({ field: path || 'body', message: `${path || 'body'} ${problem}` });
  } else if (value !== null && typeof value === 'object' && depth < 64 && !isStream(value)) {
    for (const [key, child] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      const field = path
        ? `${path}.${keyProblem ? JSON.stringify(key) : key}`
        : keyProblem
          ? JSON.stringify(key)
          : key;
      if (keyProblem) out.push({ field, message: `a field name ${keyProblem}` });
      else unstorableText(child, field, out, depth + 1);
    }
  }
  return out;
}

const isStream = (v: object) => typeof (v as { pipe?: unknown }).pipe === 'function';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  // Parsed forms and query strings use an empty null-prototype object as their prototype.
  return (
    proto === Object.prototype ||
    proto === null ||
    (Object.getPrototypeOf(proto) === null && Object.getOwnPropertyNames(proto).length === 0)
  );
}

const BUILT_INS: unknown[] = [String, Boolean, Number, Array, Object];

/**
 * DTOs are the single source of validation: unknown fields are rejected, every bad field is named.
 * Before class-transformer sees a body it must be a plain JSON object (a stream or an array would be
 * deep-copied, which once aborted the process), and no text may hold what PostgreSQL cannot store.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const prefix = metadata.type === 'param' ? (metadata.data ?? '') : '';
      const errors = unstorableText(value, prefix);
      if (errors.length) throw new ValidationFailedError(errors);
    }
    const dto = metadata.metatype && !BUILT_INS.includes(metadata.metatype);
    if (metadata.type === 'body' && dto && value !== undefined && !isPlainObject(value)) {
      throw new ValidationFailedError([{ field: 'body', message: 'body must be a JSON object' }]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
