import { expect } from 'chai';

import { ConsulHttpError } from '../../../envtest/consul/errors.js';
import { parseRules } from '../../../envtest/consul/rules-parser.js';

function parseError(source: string): ConsulHttpError {
  try {
    parseRules(source);
  } catch (error) {
    if (error instanceof ConsulHttpError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe('Consul envtest: rules parser', () => {
  it('parses the HCL forms ACL policies use', () => {
    const rules = parseRules(`
# comment
acl = "write"
operator = "read" // trailing comment
key_prefix "app/" {
  policy = "write"
}
key "app/ro" { policy = "read" }
service_prefix "" { policy = "read" intentions = "read" }
/* block
   comment */
session_prefix "" {
  policy = "write"
}
node "n1" { policy = "deny" }
`);
    expect(rules.global).to.deep.equal({ acl: 'write', operator: 'read' });
    expect([...rules.prefix.key]).to.deep.equal([['app/', 'write']]);
    expect([...rules.exact.key]).to.deep.equal([['app/ro', 'read']]);
    expect(rules.prefix.service.get('')).to.equal('read');
    expect(rules.prefix.session.get('')).to.equal('write');
    expect(rules.exact.node.get('n1')).to.equal('deny');
  });

  it('parses JSON rules, in object and list form', () => {
    const objectForm = parseRules('{"acl": "read", "key_prefix": {"a/": {"policy": "list"}}}');
    expect(objectForm.global.acl).to.equal('read');
    expect(objectForm.prefix.key.get('a/')).to.equal('list');
    const listForm = parseRules('{"service": [{"web": [{"policy": "write"}]}]}');
    expect(listForm.exact.service.get('web')).to.equal('write');
  });

  it('accepts blank rules and ignores unknown keys like HCL decoding does', () => {
    expect(parseRules('   ').global).to.deep.equal({});
    expect(parseRules('unknown_thing = "x"').global).to.deep.equal({});
  });

  it('rejects syntax errors with a 500 "Failed to parse ACL rules"', () => {
    for (const source of [
      'this is garbage',
      'key_prefix "a" { policy = "read"',
      'acl = ',
      'key "x" { policy = "read" ]',
    ]) {
      const error = parseError(source);
      expect(error.status, source).to.equal(500);
      expect(error.body, source).to.match(/^Failed to parse ACL rules: At \d+:\d+: /);
    }
    expect(parseError('{"acl": ').body).to.match(/^Failed to parse ACL rules: /);
  });

  it('matches HCL v1 wording for bare words', () => {
    expect(parseError('not a valid hcl').body).to.equal(
      "Failed to parse ACL rules: At 1:17: key 'not a valid hcl' expected start of object ('{') or assignment ('=')",
    );
  });

  it('rejects invalid policy values', () => {
    expect(parseError('acl = "admin"').body).to.equal('Invalid acl policy: "admin"');
    expect(parseError('key_prefix "" { policy = "all" }').body).to.equal(
      'Invalid key_prefix policy: &acl.KeyRule{Prefix:"", Policy:"all", EnterpriseRule:acl.EnterpriseRule{}}',
    );
    expect(parseError('service "web" { policy = "list" }').body).to.match(
      /^Invalid service policy: &acl\.ServiceRule\{Name:"web"/,
    );
    expect(parseError('node_prefix "" { }').body).to.match(/^Invalid node_prefix policy: /);
  });
});
