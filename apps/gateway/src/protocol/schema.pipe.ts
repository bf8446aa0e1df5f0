import type { PipeTransform } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { checkPayload } from './schemas';

/**
 * Validates a message body against a compiled schema (BAD_PAYLOAD naming the field otherwise).
 * `emptyAsObject` lets events without arguments through as `{}`.
 */
export class SchemaPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly validate: ValidateFunction<T>,
    private readonly emptyAsObject = false,
  ) {}

  transform(value: unknown): T {
    return checkPayload(this.validate, value === undefined && this.emptyAsObject ? {} : value);
  }
}
