/**
 * Service operations: CreateService, UpdateService, DeleteService, DescribeServices, ListServices.
 *
 * Invariants:
 * - Only an ACTIVE service can be updated (ServiceNotActiveException otherwise); an unknown one is
 *   ServiceNotFoundException.
 * - DeleteService refuses a service scaled above 0 unless `force` is set; a deleted service drains
 *   to INACTIVE and stays describable but no longer listed.
 * - DescribeServices takes at most 10 services and reports unknown ones as MISSING failures.
 * - ListServices pages at most 100 (default 10) service ARNs.
 */
import { type InputReader } from '../../aws/input.js';
import { type OperationHandler } from '../../aws/json-protocol.js';
import { lastSegmentOf } from '../arns.js';
import { invalidParameter, serviceNotActive, serviceNotFound } from '../errors.js';
import { type Cluster, type PropagateTags, type Service } from '../model.js';
import { includesTags, serviceShape } from '../shapes.js';
import { type EcsState } from '../state.js';
import { checkUserTags, readTags } from '../tags.js';
import { maxResultsOf, page, reader, withNextToken } from './common.js';

const MAX_DESCRIBE_SERVICES = 10;

function desiredCountOf(request: InputReader): number | undefined {
  const value = request.number('desiredCount');
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw invalidParameter('desiredCount must be a non-negative integer.');
  }
  return value;
}

function propagateTagsOf(request: InputReader): PropagateTags {
  const value = request.string('propagateTags') ?? 'NONE';
  if (value !== 'TASK_DEFINITION' && value !== 'SERVICE' && value !== 'NONE') {
    throw invalidParameter(`Invalid propagateTags value: ${value}.`);
  }
  return value;
}

function requireService(state: EcsState, cluster: Cluster, reference: string): Service {
  const service = state.findService(cluster, reference);
  if (!service) throw serviceNotFound();
  return service;
}

export function serviceOperations(state: EcsState): Record<string, OperationHandler> {
  return {
    CreateService: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const name = request.requiredString('serviceName');
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw invalidParameter('Invalid service name.');
      const taskDefinition = state.requireTaskDefinition(request.requiredString('taskDefinition'));
      const tags = readTags(request.objects('tags'));
      checkUserTags(tags);
      const service = state.createService({
        cluster,
        name,
        taskDefinition,
        desiredCount: desiredCountOf(request) ?? 0,
        launchType: request.string('launchType') ?? 'FARGATE',
        propagateTags: propagateTagsOf(request),
        enableECSManagedTags: request.boolean('enableECSManagedTags') ?? false,
        tags,
      });
      return { service: serviceShape(state, service, true) };
    },

    UpdateService: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const service = requireService(state, cluster, request.requiredString('service'));
      if (service.status !== 'ACTIVE') throw serviceNotActive();
      const desiredCount = desiredCountOf(request);
      const taskDefinitionReference = request.string('taskDefinition');
      state.updateService(service, {
        ...(desiredCount !== undefined ? { desiredCount } : {}),
        ...(taskDefinitionReference !== undefined
          ? { taskDefinition: state.requireTaskDefinition(taskDefinitionReference) }
          : {}),
      });
      return { service: serviceShape(state, service, true) };
    },

    DeleteService: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const service = requireService(state, cluster, request.requiredString('service'));
      if (service.status !== 'ACTIVE') throw serviceNotActive();
      if (service.desiredCount > 0 && request.boolean('force') !== true) {
        throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
      }
      state.deleteService(service);
      return { service: serviceShape(state, service, true) };
    },

    DescribeServices: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const references = request.strings('services') ?? [];
      if (references.length === 0) throw invalidParameter('Services cannot be empty.');
      if (references.length > MAX_DESCRIBE_SERVICES) {
        throw invalidParameter(`Services cannot contain more than ${MAX_DESCRIBE_SERVICES} elements.`);
      }
      const includeTags = includesTags(request.strings('include'));
      const services = [];
      const failures = [];
      for (const reference of references) {
        const service = state.findService(cluster, reference);
        if (service) services.push(serviceShape(state, service, includeTags));
        else
          failures.push({
            arn: state.arns.service(cluster.name, lastSegmentOf(reference)),
            reason: 'MISSING',
          });
      }
      return { services, failures };
    },

    ListServices: (input) => {
      const request = reader(input);
      const cluster = state.requireCluster(request.string('cluster'));
      const launchType = request.string('launchType');
      const listed = state.services.filter(
        (service) =>
          service.clusterArn === cluster.arn &&
          service.status !== 'INACTIVE' &&
          (launchType === undefined || service.launchType === launchType),
      );
      const { items, nextToken } = page(listed, maxResultsOf(request, 10, 100), request.string('nextToken'));
      return withNextToken({ serviceArns: items.map((service) => service.arn) }, nextToken);
    },
  };
}
