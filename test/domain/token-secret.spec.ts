import { expect } from 'chai';

import { formatTokenSecret, parseTokenSecret } from '../../controllers/domain/token-secret.js';

const A = '11111111-2222-4333-8444-555555555555';
const S = '66666666-7777-4888-9999-000000000000';

describe('token secret values', () => {
  it("accepts a complete value and writes consul-ecs's format", () => {
    const value = formatTokenSecret({ accessorId: A, secretId: S });
    expect(value).to.equal(`{"accessor_id":"${A}","token":"${S}"}`);
    expect(parseTokenSecret(value)).to.deep.equal({ state: 'complete', ids: { accessorId: A, secretId: S } });
  });

  it('treats {}, blank and partial values as empty (P12)', () => {
    for (const value of [
      undefined,
      '',
      '  ',
      '{}',
      `{"accessor_id":"${A}"}`,
      `{"token":"${S}"}`,
      '{"token":""}',
    ]) {
      expect(parseTokenSecret(value), String(value)).to.deep.equal({ state: 'empty' });
    }
  });

  it('classifies bad values as malformed, without quoting them', () => {
    const cases: Array<[string, string]> = [
      ['not json', 'the value is not valid JSON'],
      ['[1]', 'the value is not a JSON object'],
      ['"x"', 'the value is not a JSON object'],
      [`{"accessor_id":"nope","token":"${S}"}`, '"accessor_id" is not a UUID'],
      [`{"accessor_id":"${A}","token":42}`, '"token" is not a string'],
      [`{"accessor_id":"${A}","token":"${A}"}`, '"accessor_id" and "token" are the same UUID'],
    ];
    for (const [value, reason] of cases) {
      const parsed = parseTokenSecret(value);
      expect(parsed, value).to.deep.equal({ state: 'malformed', reason });
    }
  });
});
