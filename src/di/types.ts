/**
 * Service identifiers of the framework's container. Everything is resolved in one composition
 * root; framework code never calls the container itself.
 */
export const TYPES = {
  Clock: Symbol.for('ecs-acl-controller.Clock'),
  Scheduler: Symbol.for('ecs-acl-controller.Scheduler'),
  Random: Symbol.for('ecs-acl-controller.Random'),
  Logger: Symbol.for('ecs-acl-controller.Logger'),
  Registry: Symbol.for('ecs-acl-controller.Registry'),
  Probes: Symbol.for('ecs-acl-controller.Probes'),
  OpsServer: Symbol.for('ecs-acl-controller.OpsServer'),
  ManagerOptions: Symbol.for('ecs-acl-controller.ManagerOptions'),
  Informer: Symbol.for('ecs-acl-controller.Informer'),
  Runnable: Symbol.for('ecs-acl-controller.Runnable'),
  Leadership: Symbol.for('ecs-acl-controller.Leadership'),
  InformerObserver: Symbol.for('ecs-acl-controller.InformerObserver'),
  ControllerPlugin: Symbol.for('ecs-acl-controller.ControllerPlugin'),
  ControllerMetrics: Symbol.for('ecs-acl-controller.ControllerMetrics'),
  WorkQueueMetrics: Symbol.for('ecs-acl-controller.WorkQueueMetrics'),
  InformerMetrics: Symbol.for('ecs-acl-controller.InformerMetrics'),
  ApiMetrics: Symbol.for('ecs-acl-controller.ApiMetrics'),
  Manager: Symbol.for('ecs-acl-controller.Manager'),
} as const;
