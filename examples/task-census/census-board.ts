/**
 * CensusBoard: the example controller's output, the number of running tasks per family.
 * It is what the reconciler writes; a real controller would write to an external API instead.
 */
import { inject, injectable } from 'inversify';

import { TYPES } from '../../src/di/types.js';
import { type Logger } from '../../src/log/logger.js';

@injectable()
export class CensusBoard {
  private readonly counts = new Map<string, number>();

  constructor(@inject(TYPES.Logger) private readonly logger: Logger) {}

  record(family: string, running: number): void {
    const before = this.counts.get(family) ?? 0;
    if (before === running) return;
    if (running === 0) this.counts.delete(family);
    else this.counts.set(family, running);
    this.logger.info('census changed', { family, before, running });
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}
