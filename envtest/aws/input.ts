/**
 * Input readers: typed, validated access to the fields of a decoded AWS JSON request.
 *
 * Invariants:
 * - A field of the wrong type is rejected with the service's parameter error, never coerced.
 * - Absent fields (undefined or null) read as `undefined`; `required*` readers reject them.
 */
import { AwsError } from './errors.js';

export type JsonObject = Record<string, unknown>;

export class InputReader {
  constructor(
    private readonly input: JsonObject,
    /** The error code for a missing or malformed parameter. */
    private readonly parameterErrorCode = 'InvalidParameterException',
  ) {}

  invalid(message: string): AwsError {
    return new AwsError(this.parameterErrorCode, message);
  }

  has(field: string): boolean {
    return this.input[field] !== undefined && this.input[field] !== null;
  }

  string(field: string): string | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.invalid(`${field} must be a string.`);
    return value;
  }

  requiredString(field: string): string {
    const value = this.string(field);
    if (value === undefined || value === '') throw this.invalid(`${field} is required.`);
    return value;
  }

  number(field: string): number | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw this.invalid(`${field} must be a number.`);
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.invalid(`${field} must be a boolean.`);
    return value;
  }

  strings(field: string): string[] | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      throw this.invalid(`${field} must be a list of strings.`);
    }
    return value as string[];
  }

  objects(field: string): JsonObject[] | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null)) {
      throw this.invalid(`${field} must be a list of objects.`);
    }
    return value as JsonObject[];
  }

  object(field: string): JsonObject | undefined {
    const value = this.input[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.invalid(`${field} must be an object.`);
    return value as JsonObject;
  }
}
