import { expect } from 'chai';

import { JsonLogger, parseLogLevel } from '../../src/log/logger.js';
import { REDACTED } from '../../src/log/redact.js';
import { ManualClock } from '../../src/time/manual-clock.js';

const SECRET = '9f1c2a3b-0000-4000-8000-5ec7e7000000';

function capture(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const logger = new JsonLogger({ clock: new ManualClock(0), level, sink: (line) => lines.push(line) });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('JsonLogger', () => {
  it('writes one JSON line per record with time, level and message', () => {
    const { logger, records } = capture();
    logger.info('token created', { service: 'web' });
    expect(records()).to.deep.equal([
      { time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'token created', service: 'web' },
    ]);
  });

  it('drops records below the level', () => {
    const { logger, lines } = capture('info');
    logger.debug('noise');
    expect(lines).to.deep.equal([]);
  });

  it('redacts credential-named fields at any depth, including child-bound fields', () => {
    const { logger, lines } = capture();
    logger.child({ clientToken: SECRET }).warn('drift', {
      token: SECRET,
      SecretID: SECRET,
      secret: { value: SECRET },
      nested: { deeper: [{ secret_id: SECRET, accessorID: 'keep-me' }] },
      'X-Consul-Token': SECRET,
      password: SECRET,
    });
    expect(lines[0]).to.not.contain(SECRET);
    expect(lines[0]).to.contain('keep-me');
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record.token).to.equal(REDACTED);
    expect(record.clientToken).to.equal(REDACTED);
  });

  it('logs errors as name and message, redacting credential fields of their causes', () => {
    const { logger, records } = capture();
    const error = Object.assign(new Error('write failed', { cause: { SecretID: SECRET } }), { code: 'E42' });
    logger.error('boom', { error });
    expect(records()[0].error).to.deep.equal({
      name: 'Error',
      message: 'write failed',
      code: 'E42',
      cause: { SecretID: REDACTED },
    });
  });

  it('never throws on unserialisable fields', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.info('cyclic', { cyclic, big: 10n });
    expect(lines.length).to.be.at.most(1);
  });

  it('parses levels and rejects unknown ones with a clear message', () => {
    expect(parseLogLevel('DEBUG')).to.equal('debug');
    expect(() => parseLogLevel('loud')).to.throw(
      'unknown log level "loud": use one of debug, info, warn, error',
    );
  });
});
