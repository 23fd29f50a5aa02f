/**
 * Strict JSON body decoding, the way Consul's `lib.DecodeJSON` (Go's json.Decoder with
 * DisallowUnknownFields) does it.
 *
 * Invariants:
 * - Field names match case-insensitively, like encoding/json; the result uses the canonical names.
 * - The first problem in document order wins: an unknown field gives `json: unknown field "X"`, a type
 *   mismatch gives `json: cannot unmarshal <kind> into Go struct field <Struct>.<Field> of type <type>`.
 * - `null` is accepted for every field and leaves it unset.
 * - An empty body is Go's `EOF`.
 */
export type FieldSpec =
  | { readonly kind: 'string' | 'bool' | 'number' | 'any'; readonly goType?: string }
  | { readonly kind: 'stringArray' }
  | { readonly kind: 'stringMap' }
  | { readonly kind: 'object'; readonly schema: StructSchema }
  | { readonly kind: 'objectArray'; readonly schema: StructSchema };

export interface StructSchema {
  /** The Go struct name used in error messages, e.g. `ACLToken`. */
  readonly structName: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

export type Decoded = Record<string, unknown>;

export class BodyDecodeError extends Error {}

export const STRING: FieldSpec = { kind: 'string' };
export const BOOL: FieldSpec = { kind: 'bool' };
export const NUMBER: FieldSpec = { kind: 'number', goType: 'uint64' };
export const ANY: FieldSpec = { kind: 'any' };
export const STRING_ARRAY: FieldSpec = { kind: 'stringArray' };
export const STRING_MAP: FieldSpec = { kind: 'stringMap' };

export function parseJsonText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new BodyDecodeError('EOF');
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    const first = trimmed[0]!;
    if (!/[[{"\-0-9tfn]/.test(first)) {
      throw new BodyDecodeError(`invalid character '${first}' looking for beginning of value`);
    }
    throw new BodyDecodeError('unexpected EOF');
  }
}

/** Decodes `text` against `schema`; throws BodyDecodeError with Go's message. */
export function decodeStrict(text: string, schema: StructSchema): Decoded {
  const value = parseJsonText(text);
  return decodeStruct(value, schema, '');
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value; // string | number | boolean
}

function goKind(value: unknown): string {
  const kind = jsonKind(value);
  return kind === 'boolean' ? 'bool' : kind;
}

function mismatch(value: unknown, schema: StructSchema, field: string, goType: string): BodyDecodeError {
  return new BodyDecodeError(
    `json: cannot unmarshal ${goKind(value)} into Go struct field ${schema.structName}.${field} of type ${goType}`,
  );
}

function decodeStruct(value: unknown, schema: StructSchema, path: string): Decoded {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BodyDecodeError(
      `json: cannot unmarshal ${goKind(value)} into Go value of type ${path || 'structs.' + schema.structName}`,
    );
  }
  const out: Decoded = {};
  const canonical = Object.keys(schema.fields);
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const name =
      canonical.find((c) => c === key) ?? canonical.find((c) => c.toLowerCase() === key.toLowerCase());
    if (name === undefined) throw new BodyDecodeError(`json: unknown field ${JSON.stringify(key)}`);
    if (raw === null) continue;
    out[name] = decodeField(raw, schema, name, schema.fields[name]!);
  }
  return out;
}

function decodeField(raw: unknown, schema: StructSchema, name: string, spec: FieldSpec): unknown {
  switch (spec.kind) {
    case 'any':
      return raw;
    case 'string':
      if (typeof raw !== 'string') throw mismatch(raw, schema, name, spec.goType ?? 'string');
      return raw;
    case 'bool':
      if (typeof raw !== 'boolean') throw mismatch(raw, schema, name, 'bool');
      return raw;
    case 'number':
      if (typeof raw !== 'number') throw mismatch(raw, schema, name, spec.goType ?? 'uint64');
      return raw;
    case 'stringArray':
      if (!Array.isArray(raw)) throw mismatch(raw, schema, name, '[]string');
      return raw.map((item) => {
        if (typeof item !== 'string') throw mismatch(item, schema, name, 'string');
        return item;
      });
    case 'stringMap':
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw mismatch(raw, schema, name, 'map[string]string');
      for (const item of Object.values(raw)) {
        if (typeof item !== 'string') throw mismatch(item, schema, name, 'string');
      }
      return raw;
    case 'object':
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw mismatch(raw, schema, name, `*structs.${spec.schema.structName}`);
      return decodeStruct(raw, spec.schema, name);
    case 'objectArray':
      if (!Array.isArray(raw)) throw mismatch(raw, schema, name, `[]*structs.${spec.schema.structName}`);
      return raw.filter((item) => item !== null).map((item) => decodeStruct(item, spec.schema, name));
  }
}
