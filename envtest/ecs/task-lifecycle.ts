/**
 * TaskLifecycle: moves tasks through their lastStatus steps on the injected clock.
 *
 * Invariants:
 * - Started tasks go PROVISIONING → PENDING → RUNNING after `provisioningMs`, then `pendingMs`.
 * - A stop first sets desiredStatus STOPPED with lastStatus unchanged (what StopTask answers, as
 *   AWS does), cancelling any pending start step; on the next clock turn lastStatus becomes
 *   STOPPING, and STOPPED `stoppingMs` later. Stopping a task already told to stop is a no-op.
 * - With `clearTagsOnStop`, a task loses its tags when it reaches STOPPED (the StopTask documentation
 *   says "Any tags associated with the task will be deleted").
 * - Every change bumps the task's `version` by one and is reported through `onChange` exactly once.
 * - At most one timer per task is pending; `dispose()` cancels them all.
 * - At the end of PENDING, `beforeRunning` (when given) decides whether the task may run; when it
 *   answers false it has already stopped the task (say a secret could not be read), and the task
 *   never reaches RUNNING.
 */
import { type Clock } from '../../src/time/clock.js';
import { type EcsTimings, type Task, type TaskLastStatus } from './model.js';

export class TaskLifecycle {
  private readonly timers = new Map<string, () => void>();

  constructor(
    private readonly clock: Clock,
    private readonly timings: EcsTimings,
    private readonly onChange: (task: Task) => void,
    private readonly clearTagsOnStop = false,
    private readonly beforeRunning?: (task: Task) => boolean,
  ) {}

  /** Announces a newly created (PROVISIONING) task and schedules its start. */
  start(task: Task): void {
    this.onChange(task);
    this.schedule(task, this.timings.provisioningMs, () => {
      this.moveTo(task, 'PENDING');
      task.pullStartedAt = this.clock.now();
      this.schedule(task, this.timings.pendingMs, () => {
        if (this.beforeRunning && !this.beforeRunning(task)) return;
        const now = this.clock.now();
        task.pullStoppedAt = now;
        task.startedAt = now;
        this.moveTo(task, 'RUNNING');
      });
    });
  }

  stop(task: Task, reason: string, stopCode: string): void {
    if (task.desiredStatus === 'STOPPED') return;
    this.cancel(task);
    task.desiredStatus = 'STOPPED';
    task.stoppedReason = reason;
    task.stopCode = stopCode;
    task.stoppingAt = this.clock.now();
    this.changed(task);
    this.schedule(task, 0, () => {
      this.moveTo(task, 'STOPPING');
      this.schedule(task, this.timings.stoppingMs, () => {
        task.stoppedAt = this.clock.now();
        if (this.clearTagsOnStop) task.tags = [];
        this.moveTo(task, 'STOPPED');
      });
    });
  }

  /** Number of tasks with a step still to come. */
  get pending(): number {
    return this.timers.size;
  }

  dispose(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private moveTo(task: Task, status: TaskLastStatus): void {
    task.lastStatus = status;
    for (const container of task.containers) container.lastStatus = status;
    this.changed(task);
  }

  private changed(task: Task): void {
    task.version += 1;
    this.onChange(task);
  }

  private schedule(task: Task, delayMs: number, step: () => void): void {
    const cancel = this.clock.setTimer(delayMs, () => {
      this.timers.delete(task.arn);
      step();
    });
    this.timers.set(task.arn, cancel);
  }

  private cancel(task: Task): void {
    this.timers.get(task.arn)?.();
    this.timers.delete(task.arn);
  }
}
