/** A Consul Enterprise admin partition as the emulator stores it. */
export interface Partition {
  readonly name: string;
  readonly description: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
}
