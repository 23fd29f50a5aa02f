// Test harness for leader election against the Consul envtest on one shared ManualClock.
// Invariants:
// - virtual time moves only through advance()/eventually(), in small steps, with loopback I/O
//   drained after each step, so HTTP round trips finish before the next step's timers fire;
// - until() never moves virtual time: it proves that something happens "at once";
// - every elector made here is stopped, and the server closed, by close().
import { Registry } from 'prom-client';

import { ConsulTransport } from '../../src/consul/consul-transport.js';
import {
  type ConsulServer,
  type ConsulServerOptions,
  startConsulServer,
} from '../../envtest/consul/server.js';
import { LeaderElector, type LeaderElectorOptions } from '../../src/leaderelection/index.js';
import { flushMicrotasks, ManualClock } from '../../src/time/index.js';

export const LOCK_NAME = 'prod-cluster';
export const LOCK_KEY = `ecs-acl-controller/${LOCK_NAME}/leader`;

export interface KvEntryJson {
  readonly Key: string;
  readonly Session?: string;
  readonly LockIndex: number;
  readonly Value: string | null;
}

export interface Member {
  readonly identity: string;
  readonly elector: LeaderElector;
  readonly registry: Registry;
  /** Every value leading$ emitted, in order. */
  readonly leadingLog: boolean[];
}

export class Harness {
  readonly members: Member[] = [];

  private constructor(
    readonly clock: ManualClock,
    readonly server: ConsulServer,
  ) {}

  static async start(options: ConsulServerOptions = {}): Promise<Harness> {
    const clock = new ManualClock();
    const server = await startConsulServer({ clock, ...options });
    return new Harness(clock, server);
  }

  get now(): number {
    return this.clock.now();
  }

  /** A new elector (own transport and registry, as in its own process), not yet started. */
  member(identity: string, overrides: Partial<LeaderElectorOptions> = {}): Member {
    const transport = new ConsulTransport(
      {
        address: new URL(this.server.url),
        token: this.server.managementToken,
        verifyTls: true,
        timeoutMs: 30_000,
        maxRetries: 2,
      },
      this.clock,
      undefined,
      () => 0,
    );
    const registry = new Registry();
    const elector = new LeaderElector(
      { name: LOCK_NAME, identity, ...overrides },
      { transport, clock: this.clock, registry, random: () => 0 },
    );
    const leadingLog: boolean[] = [];
    elector.leading$.subscribe((leading) => leadingLog.push(leading));
    const member = { identity, elector, registry, leadingLog };
    this.members.push(member);
    return member;
  }

  leaders(): Member[] {
    return this.members.filter((member) => member.elector.isLeader());
  }

  /** Lets loopback I/O and promise chains run; no virtual time passes. */
  async settle(rounds = 30): Promise<void> {
    for (let i = 0; i < rounds; i++) await flushMicrotasks();
  }

  /** Yields (no virtual time) until `condition` holds. */
  async until(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 5_000; i++) {
      if (condition()) return;
      await flushMicrotasks();
    }
    throw new Error(`timed out (no virtual time passing) waiting for ${what}`);
  }

  /** Moves virtual time forward by `ms` in steps, draining I/O after each; `check` runs after each step. */
  async advance(ms: number, stepMs = 100, check?: () => void): Promise<void> {
    const target = this.clock.now() + ms;
    while (this.clock.now() < target) {
      await this.clock.advance(Math.min(stepMs, target - this.clock.now()));
      await this.settle();
      check?.();
    }
  }

  /** Advances in steps until `condition` holds; returns the virtual ms that took. */
  async eventually(condition: () => boolean, what: string, maxMs = 60_000, stepMs = 50): Promise<number> {
    const start = this.clock.now();
    await this.settle();
    while (!condition()) {
      if (this.clock.now() - start >= maxMs) throw new Error(`not within ${maxMs} virtual ms: ${what}`);
      await this.clock.advance(stepMs);
      await this.settle();
    }
    return this.clock.now() - start;
  }

  /** A raw call to the server with the management token. */
  async call(method: string, path: string): Promise<{ status: number; text: string }> {
    const response = await fetch(this.server.url + path, {
      method,
      headers: { 'X-Consul-Token': this.server.managementToken },
    });
    return { status: response.status, text: await response.text() };
  }

  async lockEntry(): Promise<KvEntryJson | undefined> {
    const response = await this.call('GET', `/v1/kv/${LOCK_KEY}`);
    if (response.status === 404) return undefined;
    return (JSON.parse(response.text) as KvEntryJson[])[0];
  }

  async sessionIds(): Promise<string[]> {
    const response = await this.call('GET', '/v1/session/list');
    return (JSON.parse(response.text) as { ID: string }[]).map((session) => session.ID);
  }

  async close(): Promise<void> {
    const stops = this.members.map((member) => member.elector.stop());
    // stop() may need a few round trips (release, destroy) and transport timers on the clock.
    for (let i = 0; i < 50; i++) {
      const done = await Promise.race([
        Promise.all(stops).then(() => true),
        this.settle(5).then(() => false),
      ]);
      if (done) break;
      await this.clock.advance(100);
    }
    await this.server.close();
  }
}

export async function metricValue(registry: Registry, metric: string, name = LOCK_NAME): Promise<number> {
  const json = await registry.getSingleMetric(metric)?.get();
  const sample = json?.values.find((value) => value.labels['name'] === name);
  if (sample === undefined) throw new Error(`${metric}{name="${name}"} is not reported`);
  return sample.value;
}
