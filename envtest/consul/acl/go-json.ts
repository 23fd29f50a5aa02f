/**
 * Go's `encoding/json` rendering of a `map[string]string`, as Consul writes a login's Meta into the
 * token description (agent/consul/auth/login.go `BuildTokenDescription`).
 *
 * Invariants (Go 1.20's encoding/json, which Consul 1.14.8 is built with):
 * - Keys sorted by their UTF-8 bytes; no spaces.
 * - `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`
 *   (HTML-safe escaping); control characters other than \n, \r, \t as `\u00xx` (so \b and \f too).
 */
export function goMarshalStringMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((key) => `${goString(key)}:${goString(map[key]!)}`).join(',')}}`;
}

function goString(value: string): string {
  // Escape pairs are consumed whole, so an escaped backslash before a `b` stays as it is.
  return JSON.stringify(value).replace(/\\(?:u[0-9a-f]{4}|.)|[<>&\u2028\u2029]/g, (match) => {
    if (match === '\\b') return '\\u0008';
    if (match === '\\f') return '\\u000c';
    if (match.startsWith('\\')) return match;
    return `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
