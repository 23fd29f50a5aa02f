/**
 * ServerRuntime: everything request handlers share for one running server.
 *
 * Invariants:
 * - One runtime per server; nothing in it is global, so several servers can run in one process.
 * - `shutdown` aborts when the server closes, which ends every blocking query it holds.
 */
import { type Clock } from '../../../src/time/clock.js';
import { type ConsulVersion } from '../acl/context.js';
import { type IdGenerator } from '../ids.js';
import { type SessionTimers } from '../session-timers.js';
import { type ConsulState } from '../state.js';

export interface ServerRuntime {
  readonly state: ConsulState;
  readonly clock: Clock;
  readonly version: ConsulVersion;
  readonly enterprise: boolean;
  /** Enterprise: writes into a partition or namespace that does not exist are refused. */
  readonly requireNamespaces: boolean;
  readonly newId: IdGenerator;
  readonly nodeName: string;
  readonly datacenter: string;
  readonly sessionTtlMinMs: number;
  readonly sessionTimers: SessionTimers;
  readonly shutdown: AbortSignal;
}

export const FULL_VERSIONS: Record<ConsulVersion, string> = { '1.14': '1.14.8', '1.15': '1.15.4' };
