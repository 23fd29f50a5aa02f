/** Manager settings, with controller-runtime's defaults. */
export interface ManagerOptions {
  /** Port of the ops server (`/metrics`, `/healthz`, `/readyz`); 0 picks a free one. */
  readonly opsPort: number;
  readonly opsHost: string;
  /** How long to wait for every informer's first list before giving up (exit code 3); 0 waits forever. */
  readonly cacheSyncTimeoutMs: number;
  /** How long shutdown may take before in-flight work is abandoned (exit code 4). */
  readonly gracefulShutdownMs: number;
}

export const DEFAULT_MANAGER_OPTIONS: ManagerOptions = {
  opsPort: 9102,
  opsHost: '0.0.0.0',
  cacheSyncTimeoutMs: 120_000,
  gracefulShutdownMs: 30_000,
};
