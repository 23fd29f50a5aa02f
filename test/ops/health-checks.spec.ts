import { expect } from 'chai';

import { HealthChecks } from '../../src/ops/health-checks.js';

describe('HealthChecks', () => {
  it('passes only when every check passes, with one line per check in order', () => {
    const checks = new HealthChecks();
    checks.add('a', () => undefined);
    checks.add('b', () => 'not synced: ecs-tasks');
    checks.add('c', () => {
      throw new Error('exploded');
    });
    expect(checks.evaluate()).to.deep.equal({
      healthy: false,
      lines: ['[+]a ok', '[-]b failed: not synced: ecs-tasks', '[-]c failed: exploded'],
    });
  });

  it('skips excluded checks, and can run a single one', () => {
    const checks = new HealthChecks();
    checks.add('a', () => undefined);
    checks.add('b', () => 'down');
    expect(checks.evaluate(new Set(['b'])).healthy).to.equal(true);
    expect(checks.evaluate(new Set(), 'a')).to.deep.equal({ healthy: true, lines: ['[+]a ok'] });
  });

  it('rejects a duplicate name', () => {
    const checks = new HealthChecks();
    checks.add('a', () => undefined);
    expect(() => checks.add('a', () => undefined)).to.throw('health check "a" is already registered');
  });
});
