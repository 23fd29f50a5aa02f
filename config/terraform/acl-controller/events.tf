# Event-driven task updates (enable_events): ../modules/ecs-task-events with this cluster's
# "ECS Task State Change" events and its services' "ECS Deployment State Change" events (a new
# service is described at once with -pre-provision; ignored without), delivered to an SQS queue
# that only those two rules may send to. Invariants: the names are `<name_prefix>-ecs-task-events`
# (queue and task rule) and `<name_prefix>-ecs-service-events`, as before the module existed
# (moved.tf carries those resources into it); no other consumer reads this queue (the `controller`
# module makes its own); the controller may only receive and delete (iam.tf).

module "task_events" {
  count             = var.enable_events ? 1 : 0
  source            = "../modules/ecs-task-events"
  ecs_cluster_arn   = var.ecs_cluster_arn
  name              = "${var.name_prefix}-ecs-task-events"
  service_events    = true
  service_rule_name = "${var.name_prefix}-ecs-service-events"
  consumer          = "the ACL controller"
  tags              = var.tags
}
