/**
 * KV endpoints: GET/PUT/DELETE /v1/kv/<key>, with recurse, keys, raw, cas, acquire and release.
 *
 * Invariants:
 * - `cas`, `acquire` and `release` are mutually exclusive (400 "Conflicting flags: …").
 * - A missing key or an empty recursive read answers 404 with an empty body and still carries
 *   X-Consul-Index; an empty `?keys` listing is 200 [].
 * - Reads need key:read (recursive reads and key listings are filtered, as with Consul's default
 *   enable_key_list_policy = false), writes key:write, recursive deletes write on the whole prefix.
 * - A blocked read wakes only when the keys it covers change, but reports the KV table index, as
 *   Consul does.
 */
import { badRequest, ConsulHttpError } from '../errors.js';
import { deleteKv, getKv, kvWatchIndex, listKeys, listKv, putKv, renderKv } from '../kv.js';
import { type Reply } from './reply.js';
import { type RequestContext } from './request-context.js';
import { queryReply, type Route } from './route.js';

const MAX_VALUE_BYTES = 512 * 1024;

function has(ctx: RequestContext, name: string): boolean {
  return ctx.query.has(name);
}

function readOperation(ctx: RequestContext): string {
  if (has(ctx, 'keys')) return 'kv.keys';
  if (has(ctx, 'recurse')) return 'kv.list';
  return 'kv.get';
}

function writeOperation(ctx: RequestContext): string {
  if (has(ctx, 'acquire')) return 'kv.acquire';
  if (has(ctx, 'release')) return 'kv.release';
  return 'kv.put';
}

function parseUint(ctx: RequestContext, name: string, message: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw badRequest(message);
  return Number(raw);
}

function notFoundReply(index: number): Reply {
  return { status: 404, raw: '', index };
}

async function read(ctx: RequestContext, key: string): Promise<Reply> {
  ctx.resource = key;
  const scope = ctx.scope();
  const authz = ctx.authorizer();
  const { state, enterprise } = ctx.runtime;
  const kvIndex = () => state.tableIndex('kvs');
  if (has(ctx, 'keys')) {
    // With acl.enable_key_list_policy off (Consul's default) keys are filtered by key:read, and an
    // empty listing is 200 [] rather than 404.
    const separator = ctx.query.get('separator') ?? '';
    return queryReply(ctx, () => ({
      index: kvIndex(),
      watchIndex: kvWatchIndex(state, scope, key, false),
      value: listKeys(state, scope, key, separator).filter((k) => authz.canResource('key', k, 'read')),
    }));
  }
  if (has(ctx, 'recurse')) {
    const reply = await queryReply(ctx, () => ({
      index: kvIndex(),
      watchIndex: kvWatchIndex(state, scope, key, false),
      value: listKv(state, scope, key)
        .filter((entry) => authz.canResource('key', entry.key, 'read'))
        .map((entry) => renderKv(entry, enterprise)),
    }));
    return (reply.json as unknown[]).length === 0 ? notFoundReply(reply.index!) : reply;
  }
  authz.requireResource('key', key, 'read');
  const reply = await queryReply(ctx, () => ({
    index: kvIndex(),
    watchIndex: kvWatchIndex(state, scope, key, true),
    value: getKv(state, scope, key),
  }));
  const entry = reply.json as ReturnType<typeof getKv>;
  if (!entry) return notFoundReply(reply.index!);
  if (has(ctx, 'raw')) return { raw: entry.value ?? Buffer.alloc(0), index: reply.index! };
  return { json: [renderKv(entry, enterprise)], index: reply.index! };
}

function checkConflicts(ctx: RequestContext): void {
  const present = ['cas', 'acquire', 'release'].filter((flag) => has(ctx, flag));
  if (present.length > 1) {
    const params = new URLSearchParams();
    for (const flag of present) params.set(flag, ctx.query.get(flag) ?? '');
    throw badRequest(`Conflicting flags: ${params.toString()}`);
  }
}

async function write(ctx: RequestContext, key: string): Promise<Reply> {
  ctx.resource = key;
  const scope = ctx.scope();
  if (key === '') throw badRequest('Missing key name');
  checkConflicts(ctx);
  const flags = parseUint(ctx, 'flags', 'Invalid flags') ?? 0;
  const cas = parseUint(ctx, 'cas', 'Invalid cas index');
  const value = await ctx.rawBody();
  if (value.length > MAX_VALUE_BYTES) {
    throw new ConsulHttpError(413, `Value exceeds ${MAX_VALUE_BYTES} byte limit`, 'TooLarge');
  }
  ctx.authorizer().requireResource('key', key, 'write');
  ctx.writable(scope);
  const acquire = ctx.query.get('acquire');
  const release = ctx.query.get('release');
  const ok = putKv(ctx.runtime.state, scope, key, value, {
    flags,
    ...(cas !== undefined ? { cas } : {}),
    ...(acquire !== null ? { acquire } : {}),
    ...(release !== null ? { release } : {}),
    now: ctx.runtime.clock.now(),
  });
  return { json: ok };
}

function remove(ctx: RequestContext, key: string): Reply {
  ctx.resource = key;
  const scope = ctx.scope();
  const recurse = has(ctx, 'recurse');
  if (key === '' && !recurse) throw badRequest('Missing key name');
  checkConflicts(ctx);
  const cas = parseUint(ctx, 'cas', 'Invalid cas index');
  const authz = ctx.authorizer();
  if (recurse) authz.requireWritePrefix('key', key);
  else authz.requireResource('key', key, 'write');
  return { json: deleteKv(ctx.runtime.state, scope, key, recurse, cas) };
}

export function kvRoutes(): Route[] {
  return [
    {
      pattern: /^\/v1\/kv\/?(.*)$/s,
      methods: {
        GET: { operation: readOperation, handle: (ctx, [key]) => read(ctx, key ?? '') },
        PUT: { operation: writeOperation, handle: (ctx, [key]) => write(ctx, key ?? '') },
        DELETE: { operation: 'kv.delete', handle: (ctx, [key]) => remove(ctx, key ?? '') },
      },
    },
  ];
}
