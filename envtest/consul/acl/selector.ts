/**
 * Binding-rule selectors: the subset of go-bexpr that binding rules use, evaluated against an
 * identity's selectable fields (string fields and string maps, as the aws-iam method has).
 *
 * Invariants (agent/consul/auth/binder.go `doesSelectorMatch`, Consul 1.14; go-bexpr grammar):
 * - An empty selector matches every identity.
 * - Supported: `<sel> == <v>`, `<sel> != <v>`, `<sel> is empty`, `<sel> is not empty`,
 *   `<v> in <sel>`, `<v> not in <sel>`, `<sel> contains <v>`, `<sel> not contains <v>`, joined by
 *   `and`, `or`, `not` and parentheses; `<sel>` is a field (`entity_name`) or a map entry
 *   (`entity_tags["k"]` or `entity_tags.k`); `<v>` is a quoted string or a bare word.
 * - As in Consul, a selector naming a field the identity does not have, or a map key absent from
 *   it, does not match (bexpr fails to build or to evaluate it, and the binder treats that as no
 *   match), whatever the operator.
 * - A selector outside this subset (e.g. `matches`) is not guessed at: `SelectorNotEmulated`.
 */

export interface SelectableFields {
  readonly scalars: Readonly<Record<string, string>>;
  readonly maps: Readonly<Record<string, ReadonlyMap<string, string>>>;
}

export class SelectorNotEmulated extends Error {}

type Token = { kind: 'word' | 'string' | 'op' | 'paren' | 'index'; text: string };
type Path = { field: string; key?: string };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'eq' | 'ne' | 'in' | 'notin' | 'empty' | 'notempty'; path: Path; value: string };

/** Whether `selector` holds for `fields`; throws SelectorNotEmulated outside the subset. */
export function selectorMatches(selector: string, fields: SelectableFields): boolean {
  if (selector.trim() === '') return true;
  const tokens = tokenize(selector);
  const parser = new Parser(tokens, selector);
  const tree = parser.expression();
  if (!parser.done()) throw notEmulated(selector);
  return evaluate(tree, fields) === true;
}

function notEmulated(selector: string): SelectorNotEmulated {
  return new SelectorNotEmulated(`envtest: binding rule selector not emulated: ${selector}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: 'paren', text: char });
      i += 1;
    } else if (text.startsWith('==', i) || text.startsWith('!=', i)) {
      tokens.push({ kind: 'op', text: text.slice(i, i + 2) });
      i += 2;
    } else if (char === '"' || char === '`') {
      const end = text.indexOf(char, i + 1);
      if (end < 0) throw notEmulated(text);
      tokens.push({ kind: 'string', text: unescape(text.slice(i + 1, end), char) });
      i = end + 1;
    } else if (char === '[') {
      const match = /^\[\s*"([^"]*)"\s*\]/.exec(text.slice(i));
      if (!match) throw notEmulated(text);
      tokens.push({ kind: 'index', text: match[1]! });
      i += match[0].length;
    } else {
      const match = /^[A-Za-z0-9_.\-/:]+/.exec(text.slice(i));
      if (!match) throw notEmulated(text);
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

function unescape(raw: string, quote: string): string {
  return quote === '`' ? raw : raw.replace(/\\(.)/g, '$1');
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  done(): boolean {
    return this.at === this.tokens.length;
  }

  expression(): Node {
    let left = this.conjunction();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Node {
    let left = this.negation();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Node {
    if (this.keyword('not')) return { kind: 'not', operand: this.negation() };
    const next = this.tokens[this.at];
    if (next?.kind === 'paren' && next.text === '(') {
      this.at += 1;
      const inner = this.expression();
      const close = this.tokens[this.at];
      if (close?.kind !== 'paren' || close.text !== ')') throw notEmulated(this.source);
      this.at += 1;
      return inner;
    }
    return this.match();
  }

  private match(): Node {
    const first = this.take();
    if (first.kind === 'string' || (first.kind === 'word' && this.startsMembership())) {
      const negated = this.keyword('not');
      if (!this.keyword('in')) throw notEmulated(this.source);
      return { kind: negated ? 'notin' : 'in', path: this.path(this.take()), value: first.text };
    }
    const path = this.path(first);
    if (this.keyword('is')) {
      const negated = this.keyword('not');
      if (!this.keyword('empty')) throw notEmulated(this.source);
      return { kind: negated ? 'notempty' : 'empty', path, value: '' };
    }
    const negated = this.keyword('not');
    if (this.keyword('contains')) {
      const value = this.value();
      return { kind: negated ? 'notin' : 'in', path, value };
    }
    if (negated) throw notEmulated(this.source);
    const op = this.take();
    if (op.kind !== 'op') throw notEmulated(this.source);
    return { kind: op.text === '==' ? 'eq' : 'ne', path, value: this.value() };
  }

  private path(token: Token): Path {
    if (token.kind !== 'word') throw notEmulated(this.source);
    const next = this.tokens[this.at];
    if (next?.kind === 'index') {
      this.at += 1;
      return { field: token.text, key: next.text };
    }
    const dot = token.text.indexOf('.');
    return dot < 0
      ? { field: token.text }
      : { field: token.text.slice(0, dot), key: token.text.slice(dot + 1) };
  }

  private value(): string {
    const token = this.take();
    if (token.kind !== 'string' && token.kind !== 'word') throw notEmulated(this.source);
    return token.text;
  }

  private take(): Token {
    const token = this.tokens[this.at];
    if (!token) throw notEmulated(this.source);
    this.at += 1;
    return token;
  }

  private keyword(word: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind === 'word' && token.text === word) {
      this.at += 1;
      return true;
    }
    return false;
  }

  /** `in` or `not in` next (a bare-word value before it). */
  private startsMembership(): boolean {
    const [a, b] = [this.tokens[this.at], this.tokens[this.at + 1]];
    const word = (token: Token | undefined, text: string) => token?.kind === 'word' && token.text === text;
    return word(a, 'in') || (word(a, 'not') && word(b, 'in'));
  }
}

/** true/false, or undefined where bexpr fails (unknown field or key): no match. */
function evaluate(node: Node, fields: SelectableFields): boolean | undefined {
  switch (node.kind) {
    case 'and': {
      const left = evaluate(node.left, fields);
      if (left !== true) return left;
      return evaluate(node.right, fields);
    }
    case 'or': {
      const left = evaluate(node.left, fields);
      if (left === undefined || left) return left;
      return evaluate(node.right, fields);
    }
    case 'not': {
      const operand = evaluate(node.operand, fields);
      return operand === undefined ? undefined : !operand;
    }
    default:
      return compare(node, fields);
  }
}

function compare(node: Extract<Node, { path: Path }>, fields: SelectableFields): boolean | undefined {
  const { field, key } = node.path;
  const map = fields.maps[field];
  if (map !== undefined && key === undefined) {
    // A whole map: `is empty` and `in` (key membership) only.
    if (node.kind === 'empty' || node.kind === 'notempty')
      return (map.size === 0) === (node.kind === 'empty');
    if (node.kind === 'in' || node.kind === 'notin') return map.has(node.value) === (node.kind === 'in');
    return undefined;
  }
  const value = map !== undefined ? map.get(key!) : key === undefined ? fields.scalars[field] : undefined;
  if (value === undefined) return undefined;
  switch (node.kind) {
    case 'eq':
      return value === node.value;
    case 'ne':
      return value !== node.value;
    case 'empty':
      return value === '';
    case 'notempty':
      return value !== '';
    case 'in':
      return value.includes(node.value);
    case 'notin':
      return !value.includes(node.value);
  }
}
