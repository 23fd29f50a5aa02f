# Switching from terraform-aws-consul-ecs v0.4.x `modules/acl-controller` to this module: keep the
# module block's name, change its `source` (and `consul_ecs_image`, or drop it for our default),
# and `terraform plan`. Resource addresses are per module call, not per module source, so these
# blocks carry upstream's resources over to ours instead of destroying and recreating them.
#
# Invariants (checked by test/deploy/terraform-module.spec.ts against upstream v0.4.3's list):
# - Every upstream resource is either at the same address here (client_token secret and version,
#   aws_ecs_service.this, aws_ecs_task_definition.this) or the `from` of exactly one block below,
#   whose `to` exists here with the same resource type (Terraform cannot move across types).
# - Upstream's inline policy "exec" on the task role is overwritten in place by ours (iam.tf).
# - A module block renamed at the same time needs a root-level
#   `moved { from = module.OLD, to = module.NEW }` as well; the README lists the plan to expect.
# - Every other block moves one of our own earlier addresses (the enable_events resources that
#   events.tf declared before ../modules/ecs-task-events existed) to a resource of the same type.

moved {
  from = aws_iam_role.this_task
  to   = aws_iam_role.task
}

moved {
  from = aws_iam_role.this_execution
  to   = aws_iam_role.execution
}

moved {
  from = aws_iam_policy.this_execution
  to   = aws_iam_policy.execution
}

moved {
  from = aws_iam_role_policy_attachment.consul-controller-execution
  to   = aws_iam_role_policy_attachment.execution
}

# The enable_events resources, from events.tf into its ../modules/ecs-task-events call (same names,
# same arguments: nothing is replaced). Only instance [0] ever existed (count = enable_events).

moved {
  from = aws_sqs_queue.task_events[0]
  to   = module.task_events[0].aws_sqs_queue.this
}

moved {
  from = aws_cloudwatch_event_rule.task_events[0]
  to   = module.task_events[0].aws_cloudwatch_event_rule.task
}

moved {
  from = aws_cloudwatch_event_target.task_events[0]
  to   = module.task_events[0].aws_cloudwatch_event_target.task
}

moved {
  from = aws_cloudwatch_event_rule.service_events[0]
  to   = module.task_events[0].aws_cloudwatch_event_rule.service[0]
}

moved {
  from = aws_cloudwatch_event_target.service_events[0]
  to   = module.task_events[0].aws_cloudwatch_event_target.service[0]
}

moved {
  from = aws_sqs_queue_policy.task_events[0]
  to   = module.task_events[0].aws_sqs_queue_policy.this
}
