/**
 * SecretStore: the secrets of one emulated account and region, with their versions and labels.
 *
 * Invariants:
 * - Names are unique among stored secrets, scheduled-for-deletion ones included.
 * - A secret is found by name, full ARN, or partial ARN (full ARN minus the `-XXXXXX` suffix).
 * - A secret whose recovery window has passed on the injected clock is purged before any lookup,
 *   so it is gone exactly as AWS would have removed it; no timer is involved.
 * - Putting a value with AWSCURRENT moves the old AWSCURRENT version to AWSPREVIOUS; re-putting
 *   the same version id with the same value is a no-op, with a different value an error.
 */
import { type Clock, type Random } from '../../src/time/clock.js';
import { randomUuid } from '../aws/ids.js';
import { partialArnOf, secretArn } from './arns.js';
import { invalidRequest } from './errors.js';
import {
  AWSCURRENT,
  AWSPREVIOUS,
  type Secret,
  type SecretValue,
  type SecretVersion,
  type Tag,
} from './model.js';

export const DAY_MS = 86_400_000;

export interface NewSecret {
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: readonly Tag[];
}

export interface SecretStoreOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly region: string;
  readonly accountId: string;
}

export class SecretStore {
  private readonly byName = new Map<string, Secret>();
  private nextSeq = 1;

  constructor(private readonly options: SecretStoreOptions) {}

  get clock(): Clock {
    return this.options.clock;
  }

  /** Every stored secret (scheduled ones included), oldest first. */
  all(): Secret[] {
    this.purgeExpired();
    return [...this.byName.values()];
  }

  /** A secret by name, full ARN or partial ARN. */
  find(secretId: string): Secret | undefined {
    this.purgeExpired();
    const byName = this.byName.get(secretId);
    if (byName) return byName;
    if (!secretId.startsWith('arn:')) return undefined;
    for (const secret of this.byName.values()) {
      if (secret.arn === secretId || partialArnOf(secret.arn) === secretId) return secret;
    }
    return undefined;
  }

  create(request: NewSecret): Secret {
    const now = this.clock.now();
    const secret: Secret = {
      seq: this.nextSeq++,
      arn: secretArn(this.options.region, this.options.accountId, request.name, this.options.random),
      name: request.name,
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.kmsKeyId !== undefined ? { kmsKeyId: request.kmsKeyId } : {}),
      tags: request.tags.map((tag) => ({ ...tag })),
      createdAt: now,
      lastChangedAt: now,
      versions: new Map(),
    };
    this.byName.set(secret.name, secret);
    return secret;
  }

  remove(secret: Secret): void {
    this.byName.delete(secret.name);
  }

  scheduleDeletion(secret: Secret, recoveryWindowDays: number): void {
    const now = this.clock.now();
    secret.deletedAt = now;
    secret.deletionDate = now + recoveryWindowDays * DAY_MS;
  }

  restore(secret: Secret): void {
    delete secret.deletedAt;
    delete secret.deletionDate;
  }

  /** A new version id, used when a caller sends no ClientRequestToken. */
  newVersionId(): string {
    return randomUuid(this.options.random);
  }

  /**
   * Adds a version carrying `stages` (AWSCURRENT by default), or returns the existing version when
   * `versionId` already holds the same value.
   */
  putValue(
    secret: Secret,
    versionId: string,
    value: SecretValue,
    stages: readonly string[] = [AWSCURRENT],
  ): SecretVersion {
    const existing = secret.versions.get(versionId);
    if (existing) {
      if (existing.secretString === value.secretString && existing.secretBinary === value.secretBinary)
        return existing;
      throw invalidRequest("You can't modify an existing version, you can only create a new version.");
    }
    const version: SecretVersion = {
      id: versionId,
      ...(value.secretString !== undefined ? { secretString: value.secretString } : {}),
      ...(value.secretBinary !== undefined ? { secretBinary: value.secretBinary } : {}),
      createdAt: this.clock.now(),
      stages: [],
    };
    if (stages.includes(AWSCURRENT)) {
      const current = this.versionWithStage(secret, AWSCURRENT);
      if (current) this.moveStage(secret, AWSPREVIOUS, current);
    }
    secret.versions.set(versionId, version);
    for (const stage of stages) this.moveStage(secret, stage, version);
    secret.lastChangedAt = this.clock.now();
    return version;
  }

  versionWithStage(secret: Secret, stage: string): SecretVersion | undefined {
    for (const version of secret.versions.values()) if (version.stages.includes(stage)) return version;
    return undefined;
  }

  markAccessed(secret: Secret): void {
    const now = this.clock.now();
    secret.lastAccessedAt = now - (now % DAY_MS);
  }

  /** Attaches `stage` to `target`, taking it off any other version; drops versions left unlabelled. */
  private moveStage(secret: Secret, stage: string, target: SecretVersion): void {
    for (const version of secret.versions.values()) {
      if (version === target) continue;
      version.stages = version.stages.filter((label) => label !== stage);
      if (version.stages.length === 0) secret.versions.delete(version.id);
    }
    if (!target.stages.includes(stage)) target.stages.push(stage);
  }

  private purgeExpired(): void {
    const now = this.clock.now();
    for (const secret of [...this.byName.values()]) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) this.byName.delete(secret.name);
    }
  }
}
