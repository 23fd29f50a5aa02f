import { expect } from 'chai';

import { type EcsServer, startEcsServer } from '../../../envtest/ecs/server.js';
import { ManualClock } from '../../../src/time/manual-clock.js';

describe('AWS JSON 1.1 protocol layer', () => {
  let server: EcsServer;

  beforeEach(async () => {
    server = await startEcsServer({ clock: new ManualClock() });
  });
  afterEach(() => server.close());

  const post = (target: string | undefined, body: string) =>
    fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        ...(target !== undefined ? { 'x-amz-target': target } : {}),
      },
      body,
    });

  it('dispatches on X-Amz-Target and answers application/x-amz-json-1.1', async () => {
    const response = await post('AmazonEC2ContainerServiceV20141113.CreateCluster', '{"clusterName":"raw"}');
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).to.match(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as { cluster: { clusterName: string } };
    expect(body.cluster.clusterName).to.equal('raw');
  });

  it('answers an unknown operation with UnknownOperationException in body and header', async () => {
    const response = await post('AmazonEC2ContainerServiceV20141113.LaunchRocket', '{}');
    expect(response.status).to.equal(400);
    expect(response.headers.get('x-amzn-errortype')).to.equal('UnknownOperationException');
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).to.equal('UnknownOperationException');
    expect(body.message).to.contain('LaunchRocket');
    expect(server.calls.all()[0]).to.include({
      operation: 'LaunchRocket',
      status: 400,
      error: 'UnknownOperationException',
    });
  });

  it('rejects a missing target, a foreign service prefix and a GET', async () => {
    expect((await post(undefined, '{}')).headers.get('x-amzn-errortype')).to.equal(
      'UnknownOperationException',
    );
    expect((await post('secretsmanager.GetSecretValue', '{}')).status).to.equal(400);
    const get = await fetch(`${server.url}/`);
    expect(get.headers.get('x-amzn-errortype')).to.equal('UnknownOperationException');
    expect(server.calls.count()).to.equal(3);
  });

  it('rejects a body that is not a JSON object with SerializationException', async () => {
    const response = await post('AmazonEC2ContainerServiceV20141113.ListClusters', '{not json');
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { __type: string }).__type).to.equal('SerializationException');
    const array = await post('AmazonEC2ContainerServiceV20141113.ListClusters', '[]');
    expect(((await array.json()) as { __type: string }).__type).to.equal('SerializationException');
  });

  it('rejects a parameter of the wrong type with the service parameter error', async () => {
    const response = await post('AmazonEC2ContainerServiceV20141113.ListTasks', '{"cluster":42}');
    expect(response.status).to.equal(400);
    expect(response.headers.get('x-amzn-errortype')).to.equal('InvalidParameterException');
  });

  it('treats an empty body as an empty input', async () => {
    const response = await post('AmazonEC2ContainerServiceV20141113.ListClusters', '');
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ clusterArns: [] });
  });
});
