/**
 * waitConverged: for `-once` runs. Resolves when every controller's queue is idle with no key
 * waiting for a retry (converged), or when `timeoutMs` passes; then reports which keys still fail.
 * It polls the queues on the injected clock every `pollMs`.
 */
import { type Controller } from '../reconcile/controller.js';
import { type Clock, sleep } from '../time/clock.js';

export interface Convergence {
  readonly converged: boolean;
  readonly failing: readonly string[];
}

export async function waitConverged(
  controllers: readonly Controller[],
  clock: Clock,
  timeoutMs: number,
  pollMs = 100,
): Promise<Convergence> {
  const deadline = clock.now() + timeoutMs;
  const failing = () =>
    controllers.flatMap((controller) =>
      controller.queue.retryingKeys().map((key) => `${controller.name}/${key}`),
    );
  for (;;) {
    await sleep(clock, pollMs);
    const idle = controllers.every((controller) => controller.queue.isIdle);
    const stillFailing = failing();
    if (idle && stillFailing.length === 0) return { converged: true, failing: [] };
    if (clock.now() >= deadline) return { converged: false, failing: stillFailing };
  }
}
