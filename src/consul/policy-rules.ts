/**
 * Policy rules, compared by meaning: Consul accepts the same ACL rules in many spellings (HCL
 * with any layout and comments, or JSON), and reformats nothing. `sameRules` decides whether two
 * rule texts grant the same thing, so a policy we own is rewritten only when its rules really
 * changed.
 *
 * Invariants:
 * - A rule text is reduced to the sorted list of its assignments, each written as the path of
 *   block labels leading to it plus its value: `node_prefix "" { policy = "write" }` and
 *   `{"node_prefix": {"": {"policy": "write"}}}` both reduce to `node_prefix/""/policy="write"`.
 *   Layout, comments, quoting of keys and the order of blocks do not matter; every label, key and
 *   value does.
 * - Text that does not parse reduces to undefined, and is never the same as anything: a policy
 *   whose rules we cannot read is treated as changed.
 * - Never throws.
 */

type Token = { readonly kind: 'word' | 'string' | 'punct'; readonly text: string };

/** True when both texts parse and grant the same rules. */
export function sameRules(a: string | undefined, b: string | undefined): boolean {
  const left = ruleAssignments(a ?? '');
  const right = ruleAssignments(b ?? '');
  return left !== undefined && right !== undefined && left.join('\n') === right.join('\n');
}

/** The sorted assignments of a rule text (HCL or JSON), or undefined when it does not parse. */
export function ruleAssignments(text: string): string[] | undefined {
  const trimmed = text.trim();
  const out: string[] = [];
  try {
    if (trimmed.startsWith('{')) walkJson(JSON.parse(trimmed) as unknown, [], out);
    else parseBody(tokenize(trimmed), { at: 0 }, [], out, false);
  } catch {
    return undefined;
  }
  return out.sort();
}

function walkJson(value: unknown, path: readonly string[], out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) walkJson(item, path, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) walkJson(inner, [...path, JSON.stringify(key)], out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    if (path.length === 0) throw new Error('a bare value');
    out.push(`${path.join('/')}=${JSON.stringify(String(value))}`);
  } else {
    throw new Error('null in rules');
  }
}

/** body := (word label* '{' body '}' | word '=' value)* ; ends at '}' when nested. */
function parseBody(
  tokens: Token[],
  pos: { at: number },
  path: readonly string[],
  out: string[],
  nested: boolean,
) {
  for (;;) {
    const token = tokens[pos.at];
    if (token === undefined) {
      if (nested) throw new Error('unclosed block');
      return;
    }
    if (token.kind === 'punct' && token.text === '}') {
      if (!nested) throw new Error('unbalanced }');
      pos.at++;
      return;
    }
    if (token.kind === 'punct' && token.text === ',') {
      pos.at++;
      continue;
    }
    if (token.kind === 'punct') throw new Error(`unexpected ${token.text}`);
    pos.at++;
    const name = JSON.stringify(token.text);
    const next = tokens[pos.at];
    if (next?.kind === 'punct' && next.text === '=') {
      pos.at++;
      const value = tokens[pos.at++];
      if (value === undefined || value.kind === 'punct') throw new Error('missing value');
      out.push(`${[...path, name].join('/')}=${JSON.stringify(value.text)}`);
      continue;
    }
    const labels: string[] = [name];
    while (tokens[pos.at]?.kind === 'string') labels.push(JSON.stringify(tokens[pos.at++].text));
    const open = tokens[pos.at++];
    if (open?.kind !== 'punct' || open.text !== '{') throw new Error('expected {');
    parseBody(tokens, pos, [...path, ...labels], out, true);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === '#' || text.startsWith('//', i)) i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unclosed comment');
      i = end + 2;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new Error('unclosed string');
      tokens.push({ kind: 'string', text: JSON.parse(text.slice(i, j + 1)) as string });
      i = j + 1;
    } else if ('{}=,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      const word = /^[A-Za-z0-9_.-]+/.exec(text.slice(i));
      if (!word) throw new Error(`unexpected character ${c}`);
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end + 1;
}
