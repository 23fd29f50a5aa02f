import { expect } from 'chai';

import { consumerCounters, EventStats } from './event-stats.js';

const page = (applied: number, stale: number, foreign: number) =>
  [
    '# HELP ecs_task_events_total ECS Task State Change events received, by what was done with them.',
    '# TYPE ecs_task_events_total counter',
    `ecs_task_events_total{result="applied"} ${applied}`,
    `ecs_task_events_total{result="stale"} ${stale}`,
    `ecs_task_events_total{result="ignored"} ${foreign}`,
    `ecs_task_events_ignored_total{reason="other_account_or_region"} ${foreign}`,
    'ecs_task_events_ignored_total{reason="other_cluster"} 0',
    'informer_last_sync_timestamp_seconds{informer="ecs-tasks"} 1700000000',
  ].join('\n');

describe('chaos: event stats', () => {
  it('reads the consumer counters of a /metrics page, and nothing else', () => {
    expect(Object.fromEntries(consumerCounters(page(3, 1, 2)))).to.deep.equal({
      'result=applied': 3,
      'result=stale': 1,
      'result=ignored': 2,
      'reason=other_account_or_region': 2,
      'reason=other_cluster': 0,
    });
    expect(consumerCounters('up 1\n').size).to.equal(0);
  });

  it("sums each process's last page once, across kills and restarts", () => {
    const stats = new EventStats();
    stats.read(0, 1, page(1, 0, 0));
    stats.read(0, 1, page(4, 1, 1)); // the same process later: replaces its earlier page
    stats.read(0, 2, page(2, 0, 0)); // slot 0 restarted
    stats.read(1, 1, page(5, 2, 1));
    stats.read(1, 1, 'no counters on this page'); // an unreadable page keeps the last good one
    expect(stats.total('result=applied')).to.equal(11);
    expect(stats.total('reason=other_account_or_region')).to.equal(2);
    const line = stats.line(
      { published: 20, delivered: 15, lost: 5, lostInWindows: 2, unrouted: 1, forged: 3 },
      0.123,
      4,
    );
    expect(line).to.equal(
      'chaos: events: 20 published, 15 delivered, 5 lost (12.3% base, 2 in loss windows), ' +
        '4 duplicated, reordered or delayed, 3 forged, 1 of unserved clusters; consumers: 11 applied, ' +
        '3 stale, 2 ignored (other_account_or_region 2, other_cluster 0, cluster_unverified 0, other_detail_type 0)',
    );
  });
});
