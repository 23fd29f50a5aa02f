/**
 * Hostile arbitraries: the garbage the property tests throw at every parser and every I/O path.
 * Shared so the pure tests and the loopback-server tests draw from the same pool.
 */
import fc from 'fast-check';

/** Strings of every kind: unicode, control characters, lone surrogates, huge ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\n', '\u0000', '\uD800', 'true', 'TRUE', 'null', '__proto__', 'constructor'),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Keys that have tripped JavaScript parsers before. */
export const pollutingKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
);

/** Any JSON value, with prototype-pollution keys mixed into the objects. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    anyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(pollutingKey, fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** JSON text built from hostile values; `__proto__` keys survive as own keys in the text. */
export const hostileJsonText: fc.Arbitrary<string> = hostileJsonValue.map((value) => JSON.stringify(value));

/** A valid JSON text cut short somewhere (never at its end). */
export const truncatedJson = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  text
    .filter((json) => json.length > 1)
    .chain((json) => fc.nat({ max: json.length - 1 }).map((cut) => json.slice(0, cut)));

/** Bodies a misbehaving server, proxy or load balancer answers with instead of JSON. */
export const garbageBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '<html><body><h1>502 Bad Gateway</h1></body></html>',
    '<!DOCTYPE html><html><head><title>Login</title></head></html>',
    'upstream connect error or disconnect/reset before headers',
    'null',
    '{}',
    '[]',
    '"a string"',
    '42',
    'true',
    '[null]',
    '[1,2,3]',
    '["x"]',
    '{"__proto__":{"AccessorID":"x"}}',
  ),
  hostileJsonText,
  truncatedJson(hostileJsonText),
  anyString,
);

export const uuid = fc.uuid();
