/**
 * A binding rule's BindName computed for one identity: `${var}` replaced by the identity's
 * projected variables, then checked against the name rules of the bind type.
 *
 * Invariants (Consul 1.14: agent/consul/auth/binder.go `computeBindName`, lib/template/hil.go
 * `InterpolateHIL` with lowercase = true, acl/validation.go):
 * - Variable values are lowercased before interpolation; literal text of the template is not.
 * - A variable the identity does not project fails the login: 500 `cannot compute "<type>" bind
 *   name for bind target: <HIL error>` (the HIL error text after the prefix is approximated).
 * - The result must be a valid service identity name (`^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$`, at
 *   most 256), node identity name (same) or role name (`^[A-Za-z0-9\-_]{1,256}$`), else 500
 *   `computed "<type>" bind name for bind target is invalid: "<name>"`.
 */
import { rpcError } from '../errors.js';

const IDENTITY_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;
const ROLE_NAME = /^[A-Za-z0-9\-_]{1,256}$/;
const VARIABLE = /\$\{([^}]*)\}/g;

export function computeBindName(
  bindType: string,
  template: string,
  vars: ReadonlyMap<string, string>,
): string {
  const { text: name, unknown } = interpolate(template, vars);
  if (unknown) {
    throw rpcError(
      `cannot compute ${JSON.stringify(bindType)} bind name for bind target: 1:${unknown.column}: unknown variable accessed: ${unknown.name}`,
    );
  }
  if (!valid(bindType, name))
    throw rpcError(
      `computed ${JSON.stringify(bindType)} bind name for bind target is invalid: ${JSON.stringify(name)}`,
    );
  return name;
}

/**
 * `${var}` replaced by its lowercased value, as Consul's InterpolateHIL(…, lowercase = true) does
 * for bind names and bind namespaces; an unknown variable is left as written and reported.
 */
export function interpolate(
  template: string,
  vars: ReadonlyMap<string, string>,
): { text: string; unknown?: { name: string; column: number } } {
  let unknown: { name: string; column: number } | undefined;
  const text = template.replace(VARIABLE, (whole, raw: string, offset: number) => {
    const variable = raw.trim();
    const value = vars.get(variable);
    if (value === undefined) {
      unknown ??= { name: variable, column: offset + 3 };
      return whole;
    }
    return value.toLowerCase();
  });
  return unknown ? { text, unknown } : { text };
}

function valid(bindType: string, name: string): boolean {
  if (bindType === 'role') return ROLE_NAME.test(name);
  return name.length <= 256 && IDENTITY_NAME.test(name);
}
