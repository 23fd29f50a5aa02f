# ECS events of one cluster delivered to one SQS queue for one consumer: the queue, the "ECS Task
# State Change" rule and, with service_events, the "ECS Deployment State Change" rule, their
# targets, and the queue policy (documents.tf).
#
# Invariants:
# - The queue receives only what this module's rules send (the queue policy), and only its one
#   consumer reads it: SQS gives each message to one receiver, so every consumer needs its own call
#   of this module, with its own name.
# - Messages live 1 hour (the consumer's periodic resync covers anything older); a received message
#   is invisible for 60 s; receives long-poll 20 s; SSE with SQS-managed keys.
# - The queue policy's precondition fails an apply whose provider is not in the cluster's region
#   and account: ECS sends a cluster's events only to the default bus there, and documents.tf's
#   ARNs assume it.

resource "aws_sqs_queue" "this" {
  name                       = var.name
  message_retention_seconds  = 3600
  visibility_timeout_seconds = 60
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  tags                       = var.tags
}

resource "aws_cloudwatch_event_rule" "task" {
  name          = var.name
  description   = local.task_rule_description
  event_pattern = jsonencode(local.task_event_pattern)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "task" {
  rule = aws_cloudwatch_event_rule.task.name
  arn  = aws_sqs_queue.this.arn
}

resource "aws_cloudwatch_event_rule" "service" {
  count         = var.service_events ? 1 : 0
  name          = var.service_rule_name
  description   = local.service_rule_description
  event_pattern = jsonencode(local.service_event_pattern)
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = var.service_rule_name != ""
      error_message = "service_events needs a service_rule_name."
    }
  }
}

resource "aws_cloudwatch_event_target" "service" {
  count = var.service_events ? 1 : 0
  rule  = aws_cloudwatch_event_rule.service[0].name
  arn   = aws_sqs_queue.this.arn
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = jsonencode(local.queue_policy)

  # The policy names documents.tf's ARNs: they must be the real ones.
  lifecycle {
    precondition {
      condition     = aws_sqs_queue.this.arn == local.queue_arn && aws_cloudwatch_event_rule.task.arn == local.task_rule_arn
      error_message = "The queue or rule is not in the partition, region and account of ecs_cluster_arn (${local.queue_arn}, ${local.task_rule_arn}): configure the aws provider for them."
    }
  }
}

output "queue_url" {
  description = "URL of the queue (the consumer's -events-queue-url)."
  value       = aws_sqs_queue.this.url
}
