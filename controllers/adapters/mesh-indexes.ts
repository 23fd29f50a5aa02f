/**
 * The names of the mesh informers' indexes by service key, apart from the informers themselves, so
 * a reconciler that reads an index does not import the informer wiring.
 */

/** Usable mesh tasks (a `service`, no `problem`, not of a foreign partition) by service key. */
export const TASKS_BY_SERVICE = 'byService';

/** ACTIVE usable mesh ECS services by service key. */
export const ACTIVE_SERVICES_BY_KEY = 'activeByService';

/** Usable mesh tasks by the name of the ECS service that started them. */
export const TASKS_BY_ECS_SERVICE = 'byEcsService';
