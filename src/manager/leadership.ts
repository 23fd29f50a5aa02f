/**
 * Leadership: what the manager needs from a leader election. With one bound, controllers run only
 * while `leading$` is true; informers and runnables run all the time, so a standby is warm.
 */
import { type Observable } from 'rxjs';

export interface Leadership {
  readonly leading$: Observable<boolean>;
  start(): void;
  stop(): Promise<void>;
}
