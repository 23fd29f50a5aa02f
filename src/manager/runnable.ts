/**
 * Runnable: a long-running part that is neither an informer nor a controller (for example an
 * event consumer feeding an informer). The manager starts runnables after the ops server and
 * before the informers' first list, and stops them after the controllers, before the informers.
 *
 * A runnable with `leaderOnly` set runs only while its group's leadership is held: it is started
 * after the controllers of a new leadership term and stopped with them. In a group without a
 * leadership it runs like any other runnable.
 *
 * `start` returns once the runnable is running; `stop` resolves once it has fully stopped.
 */
export interface Runnable {
  readonly name: string;
  /** The controller group (e.g. an ECS cluster) it belongs to; "" when not set. */
  readonly group?: string;
  readonly leaderOnly?: boolean;
  start(): void;
  stop(): Promise<void>;
}
