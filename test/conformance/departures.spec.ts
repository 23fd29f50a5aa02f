// Keeps departures.ts honest: every entry names a real case of its service's contract and a
// third-party backend; our envtest backends can never be excused.
import { expect } from 'chai';
import { consulContract } from './consul.contract.js';
import { departureFor, departures } from './departures.js';
import { ecsContract } from './ecs.contract.js';
import { iamContract } from './iam.contract.js';
import { secretsManagerContract } from './secretsmanager.contract.js';
import { sqsContract } from './sqs.contract.js';

const caseNames: Record<string, string[]> = {
  ecs: ecsContract.cases.map((c) => c.name),
  secretsmanager: secretsManagerContract.cases.map((c) => c.name),
  consul: consulContract.cases.map((c) => c.name),
  sqs: sqsContract.cases.map((c) => c.name),
  iam: iamContract.cases.map((c) => c.name),
};

describe('conformance departures', function () {
  it('name existing cases of their service', function () {
    const unknown = departures.filter((d) => !(caseNames[d.service] ?? []).includes(d.case));
    expect(unknown).to.deep.equal([]);
  });

  it('never list an envtest backend', function () {
    expect(departures.filter((d) => d.backend.startsWith('envtest-'))).to.deep.equal([]);
  });

  it('are unique per backend and case, and give a reason', function () {
    const keys = departures.map((d) => `${d.backend}/${d.service}/${d.case}`);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(departures.filter((d) => d.reason.trim().length < 20)).to.deep.equal([]);
  });

  it('apply only to the backend they name', function () {
    const first = departures[0];
    if (first === undefined) this.skip();
    expect(departureFor(first.backend, first.service, first.case)).to.equal(first);
    expect(departureFor('envtest-ecs', first.service, first.case)).to.equal(undefined);
    expect(departureFor(`${first.backend}-other`, first.service, first.case)).to.equal(undefined);
  });
});
