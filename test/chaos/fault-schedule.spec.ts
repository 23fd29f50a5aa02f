import { expect } from 'chai';

import { FaultInjector, type FaultKind } from '../../envtest/faults.js';
import { FaultSchedule } from './fault-schedule.js';
import { mulberry32 } from './prng.js';

function draw(injector: FaultInjector, calls: number): Map<FaultKind | 'none', number> {
  const counts = new Map<FaultKind | 'none', number>();
  for (let i = 0; i < calls; i += 1) {
    const kind = injector.decide('ListTasks')?.kind ?? 'none';
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

describe('chaos: fault schedule', () => {
  it('while on, faults 10% of calls, 2.5% of each kind; off, none', () => {
    const schedule = new FaultSchedule();
    const injector = new FaultInjector(mulberry32(1));
    schedule.add(injector);
    expect(draw(injector, 1_000).get('none')).to.equal(1_000);
    schedule.start();
    const calls = 100_000;
    const counts = draw(injector, calls);
    for (const kind of ['throttle', 'server-error', 'latency', 'reset'] as const) {
      expect((counts.get(kind) ?? 0) / calls, kind).to.be.closeTo(0.025, 0.003);
    }
    expect(schedule.injected() / calls).to.be.closeTo(0.1, 0.005);
    schedule.stop();
    const before = schedule.injected();
    expect(draw(injector, 1_000).get('none')).to.equal(1_000);
    expect(schedule.injected()).to.equal(before);
  });

  it('arms a server added while on (a restarted Consul), and keeps counting closed ones', () => {
    const schedule = new FaultSchedule(1);
    const first = new FaultInjector(mulberry32(2));
    schedule.add(first);
    schedule.start();
    draw(first, 10);
    const restarted = new FaultInjector(mulberry32(3));
    schedule.add(restarted);
    draw(restarted, 5);
    expect(schedule.injected()).to.equal(15);
    expect(restarted.decide('GetSecretValue')).to.not.equal(undefined);
  });
});
