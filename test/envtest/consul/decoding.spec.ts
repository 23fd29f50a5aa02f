import { expect } from 'chai';

import { formatGoDuration, parseGoDuration } from '../../../src/time/go-duration.js';
import {
  BodyDecodeError,
  decodeStrict,
  STRING,
  type StructSchema,
} from '../../../envtest/consul/json-body.js';

const LINK: StructSchema = { structName: 'ACLTokenPolicyLink', fields: { ID: STRING, Name: STRING } };
const SCHEMA: StructSchema = {
  structName: 'ACLToken',
  fields: { Description: STRING, Policies: { kind: 'objectArray', schema: LINK } },
};

function decodeError(text: string): string {
  try {
    decodeStrict(text, SCHEMA);
  } catch (error) {
    if (error instanceof BodyDecodeError) return error.message;
    throw error;
  }
  throw new Error('expected a decode error');
}

describe('Consul envtest: Go-style decoding helpers', () => {
  it('matches field names case-insensitively and returns canonical names', () => {
    expect(decodeStrict('{"description":"d","POLICIES":[{"name":"p"}]}', SCHEMA)).to.deep.equal({
      Description: 'd',
      Policies: [{ Name: 'p' }],
    });
  });

  it('treats null as unset', () => {
    expect(decodeStrict('{"Description":null,"Policies":null}', SCHEMA)).to.deep.equal({});
  });

  it('reports unknown fields, also nested ones, like encoding/json', () => {
    expect(decodeError('{"Nope":1}')).to.equal('json: unknown field "Nope"');
    expect(decodeError('{"Policies":[{"ID":"x","Extra":true}]}')).to.equal('json: unknown field "Extra"');
  });

  it('reports type mismatches with the Go struct field', () => {
    expect(decodeError('{"Description":true}')).to.equal(
      'json: cannot unmarshal bool into Go struct field ACLToken.Description of type string',
    );
    expect(decodeError('{"Policies":{}}')).to.equal(
      'json: cannot unmarshal object into Go struct field ACLToken.Policies of type []*structs.ACLTokenPolicyLink',
    );
    expect(decodeError('[]')).to.match(/^json: cannot unmarshal array into Go value of type/);
  });

  it('parses and prints Go durations', () => {
    expect(parseGoDuration('15s')).to.equal(15_000);
    expect(parseGoDuration('1m30s')).to.equal(90_000);
    expect(parseGoDuration('500ms')).to.equal(500);
    expect(parseGoDuration('1.5h')).to.equal(5_400_000);
    expect(parseGoDuration('0')).to.equal(0);
    expect(parseGoDuration('15')).to.equal(undefined);
    expect(parseGoDuration('soon')).to.equal(undefined);
    expect(formatGoDuration(10_000)).to.equal('10s');
    expect(formatGoDuration(24 * 3_600_000)).to.equal('24h0m0s');
    expect(formatGoDuration(90_000)).to.equal('1m30s');
  });
});
