# IAM roles of the controller; their policy documents are in policies.tf.
#
# Invariants:
# - The task role holds one inline policy, named "exec" as upstream's, so after a switch from the
#   upstream module (moved.tf) ours replaces upstream's broader grant (ecs:* reads on "*" and ECS
#   Exec) instead of sitting beside it.
# - Role names and path, and the execution policy's name, path and description, are upstream's,
#   so a switch updates them in place.
# - additional_execution_role_policies are attached to the execution role, as upstream.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "${var.name_prefix}-consul-ecs-controller-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  name   = "exec"
  role   = aws_iam_role.task.id
  policy = jsonencode(local.task_policy)
}

resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-consul-ecs-controller-execution"
  path               = "/ecs/"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_policy" "execution" {
  name        = "${var.name_prefix}-consul-ecs-controller-execution"
  path        = "/ecs/"
  description = "Consul controller execution"
  policy      = jsonencode(local.execution_policy)
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.id
  policy_arn = aws_iam_policy.execution.arn
}

resource "aws_iam_role_policy_attachment" "additional_execution_policies" {
  count      = length(var.additional_execution_role_policies)
  role       = aws_iam_role.execution.id
  policy_arn = var.additional_execution_role_policies[count.index]
}
