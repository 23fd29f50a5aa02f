import { expect } from 'chai';
import { Registry } from 'prom-client';

import { ScrapeGauge } from '../../src/metrics/scrape-gauge.js';

describe('ScrapeGauge', () => {
  it('computes each cluster series when scraped, not before, from one shared family', async () => {
    const registry = new Registry();
    let calls = 0;
    let alpha = 3;
    ScrapeGauge.shared('g', 'help', registry).provide('alpha', () => (calls++, alpha));
    ScrapeGauge.shared('g', 'help', registry).provide('beta', () => {
      throw new Error('unreadable');
    });
    expect(calls, 'nothing computed before a scrape').to.equal(0);
    let text = await registry.metrics();
    expect(text).to.contain('g{cluster="alpha"} 3');
    expect(text).to.contain('g{cluster="beta"} 0');
    alpha = 5;
    text = await registry.metrics();
    expect(text).to.contain('g{cluster="alpha"} 5');
    expect(calls).to.equal(2);
  });
});
