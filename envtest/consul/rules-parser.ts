/**
 * Rules parser: turns ACL policy rules (an HCL subset, or JSON) into PolicyRules.
 *
 * Invariants:
 * - Syntax errors raise `Failed to parse ACL rules: At L:C: …` (HCL v1's error shape), as a 500 like
 *   Consul's PolicySet; invalid rule values raise `Invalid <kind> policy: …`.
 * - Unknown top-level keys are ignored, as HCL decoding into Consul's PolicyRules ignores them.
 * - Blank rules are valid and grant nothing.
 * - Enterprise `partition`/`namespace` blocks (and their `_prefix` forms) are kept as scoped rules.
 */
import { rpcError } from './errors.js';

export type Access = 'deny' | 'read' | 'list' | 'write';

export type ResourceKind = 'key' | 'session' | 'service' | 'node' | 'agent' | 'event' | 'query';

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'key',
  'session',
  'service',
  'node',
  'agent',
  'event',
  'query',
];

export type GlobalKind = 'acl' | 'operator' | 'keyring' | 'mesh' | 'peering';

const GLOBAL_KINDS: readonly GlobalKind[] = ['acl', 'operator', 'keyring', 'mesh', 'peering'];

export interface PolicyRules {
  readonly global: Partial<Record<GlobalKind, Access>>;
  readonly exact: Record<ResourceKind, Map<string, Access>>;
  readonly prefix: Record<ResourceKind, Map<string, Access>>;
  /** Enterprise `partition`/`namespace` (and `_prefix`) blocks, applying only to matching scopes. */
  readonly scoped: ScopedRules[];
}

export interface ScopedRules {
  readonly kind: 'partition' | 'namespace';
  readonly name: string;
  readonly prefix: boolean;
  readonly rules: PolicyRules;
}

export function emptyRules(): PolicyRules {
  const maps = () =>
    Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, new Map<string, Access>()])) as Record<
      ResourceKind,
      Map<string, Access>
    >;
  return { global: {}, exact: maps(), prefix: maps(), scoped: [] };
}

// ---------- tokenizer ----------

type TokenType = 'ident' | 'string' | 'number' | 'bool' | '=' | '{' | '}' | '[' | ']' | ',' | 'eof';

interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

class RulesSyntaxError extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string, at = i): never => {
    throw new RulesSyntaxError(`At ${line}:${at - lineStart + 1}: ${message}`);
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#' || (ch === '/' && source[i + 1] === '/')) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('comment not terminated');
      for (let j = i; j < end; j++) {
        if (source[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const column = i - lineStart + 1;
    if ('={}[],'.includes(ch)) {
      tokens.push({ type: ch as TokenType, text: ch, line, column });
      i++;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== '"') {
        if (source[j] === '\n') fail('literal not terminated', i);
        if (source[j] === '\\') {
          const next = source[j + 1];
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          if (next === undefined || escapes[next] === undefined) fail('illegal char escape', j);
          text += escapes[next!];
          j += 2;
          continue;
        }
        text += source[j];
        j++;
      }
      if (j >= source.length) fail('literal not terminated', i);
      tokens.push({ type: 'string', text, line, column });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_\-.]*/.exec(source.slice(i));
    if (word) {
      const text = word[0];
      tokens.push({ type: text === 'true' || text === 'false' ? 'bool' : 'ident', text, line, column });
      i += text.length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(source.slice(i));
    if (num) {
      tokens.push({ type: 'number', text: num[0], line, column });
      i += num[0].length;
      continue;
    }
    fail(`illegal char`);
  }
  // HCL v1 reports end-of-file one column past the last character.
  tokens.push({ type: 'eof', text: '', line, column: i - lineStart + 2 });
  return tokens;
}

// ---------- HCL parser into plain nested objects ----------

type Tree = { [key: string]: unknown };

class HclParser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  parseFile(): Tree {
    const tree = this.parseBody('eof');
    return tree;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private fail(token: Token, message: string): never {
    throw new RulesSyntaxError(`At ${token.line}:${token.column}: ${message}`);
  }

  private parseBody(end: 'eof' | '}'): Tree {
    const tree: Tree = {};
    for (;;) {
      const token = this.peek();
      if (token.type === end) {
        this.next();
        return tree;
      }
      if (token.type === 'eof') this.fail(token, 'object expected closing RBRACE got: EOF');
      if (token.type === ',') {
        this.next();
        continue;
      }
      this.parseItem(tree);
    }
  }

  private parseItem(tree: Tree): void {
    const keys: Token[] = [];
    while (this.peek().type === 'ident' || this.peek().type === 'string') keys.push(this.next());
    const after = this.peek();
    if (keys.length === 0) this.fail(after, `expected: IDENT | STRING got: ${describe(after)}`);
    if (after.type === '=') {
      this.next();
      if (keys.length > 1) {
        this.fail(keys[0]!, `nested object expected: LBRACE got: ASSIGN`);
      }
      assign(tree, [keys[0]!.text], this.parseValue());
      return;
    }
    if (after.type === '{') {
      this.next();
      assign(
        tree,
        keys.map((k) => k.text),
        this.parseBody('}'),
      );
      return;
    }
    this.fail(
      after,
      `key '${keys.map((k) => (k.type === 'string' ? `"${k.text}"` : k.text)).join(' ')}' expected start of object ('{') or assignment ('=')`,
    );
  }

  private parseValue(): unknown {
    const token = this.next();
    switch (token.type) {
      case 'string':
        return token.text;
      case 'number':
        return Number(token.text);
      case 'bool':
        return token.text === 'true';
      case '{':
        return this.parseBody('}');
      case '[': {
        const items: unknown[] = [];
        for (;;) {
          if (this.peek().type === ']') {
            this.next();
            return items;
          }
          items.push(this.parseValue());
          const sep = this.peek();
          if (sep.type === ',') this.next();
          else if (sep.type !== ']')
            this.fail(sep, `error parsing list, expected comma or list end, got: ${describe(sep)}`);
        }
      }
      default:
        return this.fail(
          token,
          `Unknown token: ${token.line}:${token.column} ${describe(token)} ${token.text}`,
        );
    }
  }
}

function describe(token: Token): string {
  const names: Record<TokenType, string> = {
    ident: 'IDENT',
    string: 'STRING',
    number: 'NUMBER',
    bool: 'BOOL',
    '=': 'ASSIGN',
    '{': 'LBRACE',
    '}': 'RBRACE',
    '[': 'LBRACK',
    ']': 'RBRACK',
    ',': 'COMMA',
    eof: 'EOF',
  };
  return names[token.type];
}

function assign(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const existing = node[key];
    if (
      existing === undefined ||
      typeof existing !== 'object' ||
      existing === null ||
      Array.isArray(existing)
    ) {
      node[key] = {};
    }
    node = node[key] as Tree;
  }
  const last = path[path.length - 1]!;
  const existing = node[last];
  if (isTree(existing) && isTree(value)) Object.assign(existing, value);
  else node[last] = value;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------- interpretation ----------

const PREFIX_SUFFIX = '_prefix';

function flattenBlocks(value: unknown): Tree {
  if (Array.isArray(value)) {
    const merged: Tree = {};
    for (const item of value) if (isTree(item)) Object.assign(merged, item);
    return merged;
  }
  return isTree(value) ? value : {};
}

function asAccess(value: unknown, allowList: boolean): Access | undefined {
  if (value === 'read' || value === 'write' || value === 'deny') return value;
  if (allowList && value === 'list') return value;
  return undefined;
}

function goQuote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const GO_RULES: Record<ResourceKind, { type: string; keyField: string; enterprise: boolean }> = {
  key: { type: 'KeyRule', keyField: 'Prefix', enterprise: true },
  session: { type: 'SessionRule', keyField: 'Node', enterprise: true },
  service: { type: 'ServiceRule', keyField: 'Name', enterprise: true },
  node: { type: 'NodeRule', keyField: 'Name', enterprise: true },
  agent: { type: 'AgentRule', keyField: 'Node', enterprise: false },
  event: { type: 'EventRule', keyField: 'Event', enterprise: false },
  query: { type: 'PreparedQueryRule', keyField: 'Prefix', enterprise: false },
};

/** Approximates Go's `%#v` of the rule struct, as Consul's validation errors print it. */
function goRule(kind: ResourceKind, name: string, policy: unknown, intentions: unknown): string {
  const shape = GO_RULES[kind];
  const fields = [`${shape.keyField}:${JSON.stringify(name)}`, `Policy:${goQuote(policy ?? '')}`];
  if (kind === 'service') fields.push(`Intentions:${goQuote(intentions ?? '')}`);
  if (shape.enterprise) fields.push('EnterpriseRule:acl.EnterpriseRule{}');
  return `&acl.${shape.type}{${fields.join(', ')}}`;
}

function interpret(tree: Tree, rules: PolicyRules): void {
  for (const [rawKey, value] of Object.entries(tree)) {
    const key = rawKey.toLowerCase();
    if ((GLOBAL_KINDS as readonly string[]).includes(key)) {
      if (value === '' || value === undefined) continue;
      const access = asAccess(value, false);
      if (!access) throw rpcError(`Invalid ${key} policy: ${goQuote(value)}`);
      rules.global[key as GlobalKind] = access;
      continue;
    }
    const isPrefix = key.endsWith(PREFIX_SUFFIX);
    const base = (isPrefix ? key.slice(0, -PREFIX_SUFFIX.length) : key) as ResourceKind;
    if ((RESOURCE_KINDS as readonly string[]).includes(base)) {
      const blocks = flattenBlocks(value);
      for (const [name, rawBody] of Object.entries(blocks)) {
        const body = flattenBlocks(rawBody);
        const policy = body['policy'] ?? body['Policy'];
        const access = asAccess(policy, base === 'key');
        const intentions = body['intentions'] ?? '';
        const label = isPrefix ? `${base}_prefix` : base;
        if (!access) throw rpcError(`Invalid ${label} policy: ${goRule(base, name, policy, intentions)}`);
        if (intentions !== '' && !asAccess(intentions, false)) {
          throw rpcError(`Invalid ${label} intentions policy: ${goRule(base, name, policy, intentions)}`);
        }
        if (access) (isPrefix ? rules.prefix : rules.exact)[base].set(name, access);
      }
      continue;
    }
    if (
      key === 'namespace' ||
      key === 'namespace_prefix' ||
      key === 'partition' ||
      key === 'partition_prefix'
    ) {
      for (const [name, body] of Object.entries(flattenBlocks(value))) {
        const child = emptyRules();
        interpret(flattenBlocks(body), child);
        rules.scoped.push({
          kind: key.startsWith('partition') ? 'partition' : 'namespace',
          name,
          prefix: key.endsWith(PREFIX_SUFFIX),
          rules: child,
        });
      }
    }
    // Unknown keys are ignored, as HCL decoding does.
  }
}

/** Parses rules text; throws a ConsulHttpError (500) with Consul's message when invalid. */
export function parseRules(source: string): PolicyRules {
  const rules = emptyRules();
  if (source.trim() === '') return rules;
  let tree: Tree;
  try {
    if (source.trim().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(source);
      } catch (error) {
        throw new RulesSyntaxError(`At 1:1: ${(error as Error).message}`);
      }
      tree = flattenBlocks(parsed);
    } else {
      tree = new HclParser(tokenize(source)).parseFile();
    }
  } catch (error) {
    if (error instanceof RulesSyntaxError) throw rpcError(`Failed to parse ACL rules: ${error.message}`);
    throw error;
  }
  interpret(tree, rules);
  return rules;
}
