import { applyDecorators } from '@nestjs/common';
import {
  IsDefined,
  ValidateIf,
  ValidatorConstraint,
  ValidatorConstraintInterface,
  ValidationArguments,
} from 'class-validator';

@ValidatorConstraint({ name: 'isTimeZone' })
export class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || value.length > 64) return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an IANA time zone such as Asia/Phnom_Penh`;
  }
}

/**
 * A field that may be left out but never set to `null`, because where it is stored it is NOT NULL.
 * class-validator's @IsOptional() skips the field's rules for `null` as well as for a missing field, so a
 * `null` once went on to the database and came back as a 500. Here only a missing field skips the rules;
 * `null` is refused with a message naming the field. Keep @IsOptional() (and `nullable: true` in the
 * OpenAPI property) for the fields where `null` means "clear the value".
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined),
    IsDefined({ message: '$property must not be null (leave the field out instead)' }),
  );
}
