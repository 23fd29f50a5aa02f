/** A Consul Enterprise namespace as the emulator stores it (policy and role defaults by ID). */
export interface Namespace {
  readonly name: string;
  readonly partition: string;
  readonly description: string;
  readonly policyDefaults: readonly string[];
  readonly roleDefaults: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  readonly createIndex: number;
  readonly modifyIndex: number;
}
