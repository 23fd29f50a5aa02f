// Public surface of Consul-based leader election.
export {
  type ConsulCaller,
  ConsulLockApi,
  kvPath,
  type LockEntry,
  type LockRead,
  SessionGoneError,
} from './consul-lock-api.js';
export {
  defaultLockKey,
  LeaderElectionConfigError,
  type LeaderElectorOptions,
  resolveElectorOptions,
  type ResolvedElectorOptions,
} from './elector-options.js';
export {
  type LeaderElectorDeps,
  LeaderElector,
  type LeadershipLost,
  type LossReason,
} from './leader-elector.js';
export { leaderElectionMetrics, type LeaderObserver } from './leader-metrics.js';
export { type HolderRecord, type TermEnd } from './lock-term.js';
