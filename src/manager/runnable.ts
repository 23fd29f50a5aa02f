/**
 * Runnable: a long-running part that is neither an informer nor a controller (for example an
 * event consumer feeding an informer). The manager starts runnables after the ops server and
 * before the informers' first list, and stops them after the controllers, before the informers.
 *
 * `start` returns once the runnable is running; `stop` resolves once it has fully stopped.
 */
export interface Runnable {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}
