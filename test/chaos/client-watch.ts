/**
 * ClientWatch: checks throughout a chaos run, not only once it has converged, that each served
 * cluster's client secret names its client token (`clientTokenProblem`, ./client-invariants.ts).
 *
 * Invariants:
 * - Sampled in-process (no API calls, so faults cannot hide anything) every 100 ms from `start()`,
 *   which the run calls once the replicas have made the client tokens, until `stop()`.
 * - Nothing the run itself does may break it (a Consul restart keeps the state; no op writes a
 *   client secret or deletes the client token; the hostile ops keep its description and SecretID),
 *   so every sample that finds it broken counts: each distinct problem is one `client-token`
 *   violation, with when it was first seen and in how many samples.
 */
import { type ConsulState } from '../../envtest/consul/state.js';
import { type SecretStore } from '../../envtest/secretsmanager/store.js';
import { clientTokenProblem } from './client-invariants.js';
import { secretIds, type Violation } from './invariants.js';

export interface ClientWatchWorld {
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly clientSecretArn: string }>;
  readonly consul: () => ConsulState;
  readonly secrets: SecretStore;
}

interface Seen {
  readonly firstAtMs: number;
  samples: number;
}

export class ClientWatch {
  private readonly seen = new Map<string, Seen>();
  private started = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly world: ClientWatchWorld) {}

  start(everyMs = 100): void {
    this.started = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): void {
    const consul = this.world.consul();
    for (const { name, clientSecretArn } of this.world.clusters) {
      const problem = clientTokenProblem(consul, name, secretIds(this.world.secrets, clientSecretArn));
      if (problem === undefined) continue;
      const key = `${name}: the client secret does not name the client token: ${problem}`;
      const seen = this.seen.get(key) ?? { firstAtMs: performance.now() - this.started, samples: 0 };
      seen.samples += 1;
      this.seen.set(key, seen);
    }
  }

  violations(): Violation[] {
    return [...this.seen].map(([message, seen]) => ({
      kind: 'client-token',
      message: `${message} (during the run: first ${(seen.firstAtMs / 1000).toFixed(1)} s after the check started, in ${seen.samples} samples)`,
    }));
  }
}
