# Switching from terraform-aws-consul-ecs v0.10.0 `modules/controller` to this module: keep the
# module block's name, change its `source` (drop `consul_ecs_image` for our default) and read the
# plan. Resource addresses are per module call, so these blocks carry upstream's resources to ours.
#
# Invariants (checked by test/deploy/terraform-controller-module.spec.ts against upstream's list):
# - Every upstream resource is at the same address here (aws_ecs_service.this,
#   aws_ecs_task_definition.this, aws_iam_role_policy_attachment.additional_execution_policies) or
#   the `from` of exactly one block below, whose `to` exists with the same resource type.
# - A module block renamed at the same time needs a root-level `moved` block as well.

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
