export { type Clock, type Random, sleep } from './clock.js';
export { flushMicrotasks, ManualClock } from './manual-clock.js';
export { SchedulerClock } from './scheduler-clock.js';
