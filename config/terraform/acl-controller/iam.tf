# IAM of the controller.
#
# Invariants:
# - The task role's policy IS config/iam/controller-policy.json (read with templatefile, one
#   source of truth), minus the CreateSecret statement unless create_secrets, minus the SQS
#   statement unless enable_events, plus ssmmessages only if enable_execute_command.
# - The task role's inline policy is named "exec", as upstream's, so that after a switch from the
#   upstream module (moved.tf) it replaces upstream's broader grant instead of sitting beside it.
# - The execution role reads only the bootstrap-token and CA secrets (by their own ARNs, with any
#   JSON-key suffix stripped: secret-arns.tf) and writes logs; its managed policy keeps upstream's
#   name, path and description, so a switch updates it in place.

locals {
  policy_template = jsondecode(templatefile("${path.module}/../../iam/controller-policy.json", {
    region             = var.region
    account            = local.account_id
    cluster            = local.cluster_name
    secret_name_prefix = var.name_prefix
    client_secret_arn  = aws_secretsmanager_secret.client_token.arn
    events_queue_arn   = var.enable_events ? module.task_events[0].queue_arn : ""
  }))

  create_secrets_sid = "OptionalCreateSecretsOnlyWithCreateSecretsFlag"
  events_sid         = "OptionalConsumeTaskEventsOnlyWithEventsQueueUrl"

  exec_statements = var.enable_execute_command ? [{
    Sid    = "EcsExec"
    Effect = "Allow"
    Action = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    Resource = "*"
  }] : []

  task_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [for statement in local.policy_template.Statement : statement if(var.create_secrets || statement.Sid != local.create_secrets_sid) && (var.enable_events || statement.Sid != local.events_sid)],
      local.exec_statements,
    )
  }
}

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
  name               = "${var.name_prefix}-consul-acl-controller-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  name   = "exec"
  role   = aws_iam_role.task.id
  policy = jsonencode(local.task_policy)
}

resource "aws_iam_role" "execution" {
  name               = "${var.name_prefix}-consul-acl-controller-execution"
  path               = "/ecs/"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_policy" "execution" {
  name        = "${var.name_prefix}-consul-acl-controller-execution"
  path        = "/ecs/"
  description = "Consul controller execution"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadContainerSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = local.execution_secret_arns
      },
      {
        Sid      = "WriteLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "*"
      },
    ]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.id
  policy_arn = aws_iam_policy.execution.arn
}
