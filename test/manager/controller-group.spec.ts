import { expect } from 'chai';
import { BehaviorSubject } from 'rxjs';

import { type Controller } from '../../src/reconcile/controller.js';
import { SILENT_LOGGER } from '../../src/log/logger.js';
import { type ControllerPlugin } from '../../src/manager/controller-plugin.js';
import { ControllerGroup, type ControllerGroupParts } from '../../src/manager/controller-group.js';
import { type Leadership } from '../../src/manager/leadership.js';
import { type Runnable } from '../../src/manager/runnable.js';

const plugin = (name: string): ControllerPlugin => ({
  name,
  group: 'prod',
  reconciler: { reconcile: async () => ({}) },
  watches: () => [],
});

/** Records what the group does with controllers, runnables and the leadership, in order. */
class Recorder {
  readonly events: string[] = [];
  built = 0;

  controller(plugin: ControllerPlugin): Controller {
    const term = ++this.built;
    let running = false;
    const events = this.events;
    return {
      name: plugin.name,
      get isRunning() {
        return running;
      },
      start() {
        running = true;
        events.push(`start ${plugin.name}#${term}`);
      },
      async stop(gracefulMs: number) {
        running = false;
        events.push(`stop ${plugin.name}#${term} within ${gracefulMs}`);
        return true;
      },
    } as unknown as Controller;
  }

  runnable(name: string): Runnable {
    return {
      name,
      leaderOnly: true,
      start: () => void this.events.push(`start ${name}`),
      stop: async () => void this.events.push(`stop ${name}`),
    };
  }

  /** A group "prod" of plugins named `names`, whose controllers this recorder builds. */
  group(names: readonly string[], parts: Partial<ControllerGroupParts> = {}): ControllerGroup {
    return new ControllerGroup({
      name: 'prod',
      plugins: names.map(plugin),
      build: (p) => this.controller(p),
      logger: SILENT_LOGGER,
      ...parts,
    });
  }

  leadership(name: string): Leadership & { readonly leading: BehaviorSubject<boolean> } {
    const leading = new BehaviorSubject(false);
    return {
      name,
      leading,
      leading$: leading,
      start: () => void this.events.push('election start'),
      stop: async () => void this.events.push('election stop'),
    };
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ControllerGroup', () => {
  it('without a leadership, runs its controllers from start to stop', async () => {
    const recorder = new Recorder();
    const group = recorder.group(['a', 'b']);
    expect(group.isLeading).to.equal(false);
    expect(group.notRunning()).to.deep.equal(['a', 'b']);
    group.start();
    expect(group.isLeading).to.equal(true);
    expect(group.notRunning()).to.deep.equal([]);
    expect(await group.stop(5_000)).to.equal(true);
    expect(recorder.events).to.deep.equal([
      'start a#1',
      'start b#2',
      'stop a#1 within 5000',
      'stop b#2 within 5000',
    ]);
  });

  it('builds fresh controllers per leadership term, starts leader-only runnables after them, and stops both at once on loss', async () => {
    const recorder = new Recorder();
    const leadership = recorder.leadership('prod');
    const group = recorder.group(['a'], { leadership, leaderRunnables: [recorder.runnable('events')] });
    group.start();
    await settle();
    expect(group.notRunning(), 'a standby is ready').to.deep.equal([]);
    expect(group.isLeading).to.equal(false);
    leadership.leading.next(true);
    await settle();
    expect(group.isLeading).to.equal(true);
    leadership.leading.next(false);
    await settle();
    leadership.leading.next(true);
    await settle();
    expect(await group.stop(5_000)).to.equal(true);
    expect(recorder.events).to.deep.equal([
      'election start',
      'start a#2',
      'start events',
      'stop a#2 within 0',
      'stop events',
      'start a#3',
      'start events',
      'stop a#3 within 5000',
      'stop events',
      'election stop',
    ]);
  });

  it('never starts a term after stop, and a never-started group stops without touching its election', async () => {
    const recorder = new Recorder();
    const leadership = recorder.leadership('prod');
    const group = recorder.group(['a'], { leadership });
    expect(await group.stop(1_000)).to.equal(true);
    group.start();
    leadership.leading.next(true);
    await settle();
    expect(recorder.events).to.deep.equal([]);
    expect(group.isLeading).to.equal(false);
  });

  it('relists its caches on each gain before any controller starts; a loss during the relist starts nothing', async () => {
    const recorder = new Recorder();
    const leadership = recorder.leadership('prod');
    const pending: Array<{ resolve: () => void; signal: AbortSignal }> = [];
    const refresh = (signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        let settled = false;
        recorder.events.push('relist');
        pending.push({
          resolve: () => {
            settled = true;
            recorder.events.push('relisted');
            resolve();
          },
          signal,
        });
        signal.addEventListener('abort', () => {
          if (settled) return;
          recorder.events.push('relist aborted');
          reject(signal.reason);
        });
      });
    const group = recorder.group(['a'], {
      leadership,
      refresh,
      leaderRunnables: [recorder.runnable('events')],
    });
    group.start();
    leadership.leading.next(true);
    await settle();
    expect(recorder.events.at(-1), 'nothing starts before the relist').to.equal('relist');
    pending[0].resolve();
    await settle();
    leadership.leading.next(false);
    await settle();
    leadership.leading.next(true);
    await settle();
    leadership.leading.next(false);
    await settle();
    expect(await group.stop(1_000)).to.equal(true);
    expect(recorder.events).to.deep.equal([
      'election start',
      'relist',
      'relisted',
      'start a#2',
      'start events',
      'stop a#2 within 0',
      'stop events',
      'relist',
      'relist aborted',
      'election stop',
    ]);
  });
});
