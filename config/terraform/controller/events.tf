# Event-driven cleanup (enable_events, our extension; upstream's module has none): this cluster's
# "ECS Task State Change" events only (the `controller` command ignores service events) delivered
# by ../modules/ecs-task-events to a queue the controller reads with -events-queue-url.
#
# Invariants (evaluated with `terraform console` by test/deploy/terraform-task-events.spec.ts):
# - Without enable_events nothing here exists and nothing else in the module changes.
# - The queue and rule are `<name_prefix>-controller-task-events`: never a name the acl-controller
#   module uses (its end in `-ecs-task-events` / `-ecs-service-events`), so during a migration both
#   modules can serve one cluster, each with its own queue (SQS gives a message to one receiver).
# - The task role may only receive and delete on this queue (policies.tf).
# - This file holds only the module call and reads only variables, so it can be evaluated with the
#   module's provider-free files.

module "task_events" {
  count           = var.enable_events ? 1 : 0
  source          = "../modules/ecs-task-events"
  ecs_cluster_arn = var.ecs_cluster_arn
  name            = "${var.name_prefix}-controller-task-events"
  consumer        = "the consul-ecs controller"
  tags            = var.tags
}
