/**
 * Admin partitions (Consul Enterprise): create, read and list.
 *
 * Invariants:
 * - `default` always exists and is listed first; other partitions exist once created.
 * - Names are unique and match Consul's rule (letters, digits and `-`, 1 to 64, starting and ending
 *   with a letter or digit); creating an existing partition is an error, as in Consul.
 * - Objects may still live in a partition that was never created (the emulator does not enforce
 *   existence elsewhere).
 */
import { badRequest, rpcError } from './errors.js';
import { type Partition } from './partition-model.js';
import { type ConsulState } from './state.js';

const PARTITION_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?$/;

const DEFAULT: Partition = {
  name: 'default',
  description: 'Builtin Default Partition',
  createIndex: 1,
  modifyIndex: 1,
};

export function renderPartition(partition: Partition): Record<string, unknown> {
  return {
    Name: partition.name,
    Description: partition.description,
    CreateIndex: partition.createIndex,
    ModifyIndex: partition.modifyIndex,
  };
}

export function getPartition(state: ConsulState, name: string): Partition | undefined {
  return name === 'default' ? DEFAULT : state.partitions.get(name);
}

export function listPartitions(state: ConsulState): Partition[] {
  return [DEFAULT, ...[...state.partitions.values()].sort((a, b) => a.name.localeCompare(b.name))];
}

export function createPartition(state: ConsulState, name: string, description: string): Partition {
  if (name === '') throw badRequest('Partition name is required');
  if (!PARTITION_NAME.test(name)) throw rpcError(`Partition name "${name}" is invalid`);
  if (getPartition(state, name)) throw rpcError(`Partition "${name}" already exists`);
  return state.write(['partitions'], (index) => {
    const partition = { name, description, createIndex: index, modifyIndex: index };
    state.partitions.set(name, partition);
    return partition;
  });
}
