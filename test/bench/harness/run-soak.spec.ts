import { expect } from 'chai';

import { minuteLine, RunningTasks } from './run-soak.js';

describe('bench: soak harness', () => {
  it('RunningTasks adds, deletes and picks in O(1), never holding an ARN twice', () => {
    const running = new RunningTasks();
    for (const arn of ['a', 'b', 'c', 'a']) running.add(arn);
    expect(running.size).to.equal(3);
    running.delete('a'); // the last one moves into its slot
    running.delete('zzz');
    expect(running.size).to.equal(2);
    expect([running.pick(() => 0), running.pick(() => 0.99)].sort()).to.deep.equal(['b', 'c']);
    running.delete('c');
    running.delete('b');
    expect(running.size).to.equal(0);
    expect(running.pick(() => 0)).to.equal(undefined);
  });

  it('prints one line a minute, n/a for what the scrape did not give', () => {
    const mb = 1_048_576;
    expect(
      minuteLine({
        minute: 7,
        rss: 120.04 * mb,
        rssMin: 110 * mb,
        hwm: 130 * mb,
        heapUsed: undefined,
        heapMin: 40 * mb,
        tasksCached: 10_000,
        eventsApplied: undefined,
        replacements: 8_400,
        backlog: 3,
        cpuPercent: 41.6,
        harnessRss: 300 * mb,
        harnessCpuPercent: undefined,
      }),
    ).to.equal(
      "soak minute 7: rss 120.0 MB (minute's low 110.0), VmHWM 130.0 MB, heap used n/a MB (minute's low 40.0), " +
        'tasks cached 10000, events applied n/a, ' +
        'replacements 8400, queue backlog 3, controller cpu 42%, harness rss 300.0 MB, harness cpu n/a%',
    );
  });
});
