/**
 * Leadership: what the manager needs from a leader election. It gates the controller group of the
 * same name: those controllers (and leader-only runnables) run only while `leading$` is true;
 * informers and other runnables run all the time, so a standby is warm.
 */
import { type Observable } from 'rxjs';

export interface Leadership {
  /** The controller group it gates (plugins and runnables whose `group` equals it). */
  readonly name: string;
  readonly leading$: Observable<boolean>;
  start(): void;
  stop(): Promise<void>;
}
