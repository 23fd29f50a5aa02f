/**
 * Route: one URL pattern with its handler per method, and the operation name each call is logged as.
 *
 * Invariants:
 * - The operation name is known before the handler runs, so faults can be injected per operation.
 * - Path parameters are URL-decoded capture groups of `pattern`.
 */
import { blockingQuery, type QueryResult } from '../blocking.js';
import { type Reply } from './reply.js';
import { type RequestContext } from './request-context.js';

export interface RouteMethod {
  readonly operation: string | ((ctx: RequestContext) => string);
  handle(ctx: RequestContext, params: readonly string[]): Promise<Reply> | Reply;
}

export interface Route {
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, RouteMethod>>;
}

/** Runs a read as a blocking query and wraps the answer with its index. */
export async function queryReply<T>(
  ctx: RequestContext,
  run: () => QueryResult<T>,
  toReply: (value: T) => Reply = (value) => ({ json: value }),
): Promise<Reply> {
  const params = ctx.blocking();
  const result = await blockingQuery(ctx.runtime.state, ctx.runtime.clock, params, ctx.signal, run);
  return { ...toReply(result.value), index: result.index };
}
