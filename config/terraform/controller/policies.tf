# The two IAM policy documents of the controller.
#
# Invariants (evaluated with `terraform console` by test/deploy/terraform-controller-iam.spec.ts):
# - The task role's policy IS config/iam/iam-auth-controller-policy.json (read with templatefile,
#   one source of truth): ecs:ListTasks and ecs:DescribeTasks on this cluster only, nothing else,
#   plus sqs:ReceiveMessage and sqs:DeleteMessage on events.tf's queue only with enable_events
#   (config/iam/iam-auth-controller-events-policy.json), plus the ssmmessages grants of ECS Exec
#   only with enable_execute_command. Region, account and cluster name come from ecs_cluster_arn.
# - The execution role's policy reads only the container's secrets (secret-arns.tf: the bootstrap
#   token and the HTTPS CA if given, by their own ARNs) and writes logs, as upstream's.
# - This file reads variables, files and events.tf's module call only, so it can be evaluated
#   without a provider.

locals {
  cluster_arn_fields = split(":", var.ecs_cluster_arn)
  cluster_name       = element(split("/", var.ecs_cluster_arn), 1)

  task_policy_template = jsondecode(templatefile("${path.module}/../../iam/iam-auth-controller-policy.json", {
    region  = local.cluster_arn_fields[3]
    account = local.cluster_arn_fields[4]
    cluster = local.cluster_name
  }))

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

  events_statements = var.enable_events ? jsondecode(templatefile("${path.module}/../../iam/iam-auth-controller-events-policy.json", {
    events_queue_arn = module.task_events[0].queue_arn
  })).Statement : []

  task_policy = {
    Version   = "2012-10-17"
    Statement = concat(local.task_policy_template.Statement, local.events_statements, local.exec_statements)
  }

  execution_policy = {
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
  }
}
