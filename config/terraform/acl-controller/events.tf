# Event-driven task updates (enable_events): an EventBridge rule matching this cluster's
# "ECS Task State Change" events, a second one matching its services' "ECS Deployment State
# Change" events (a new service is described at once with -pre-provision; ignored without), an
# SQS queue they deliver to, and the queue policy that lets only those rules send. Invariants: the
# queue receives nothing else, messages live 1 hour (the periodic resync covers anything older),
# and the controller may only receive and delete.

resource "aws_sqs_queue" "task_events" {
  count                      = var.enable_events ? 1 : 0
  name                       = "${var.name_prefix}-ecs-task-events"
  message_retention_seconds  = 3600
  visibility_timeout_seconds = 60
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  tags                       = var.tags
}

resource "aws_cloudwatch_event_rule" "task_events" {
  count       = var.enable_events ? 1 : 0
  name        = "${var.name_prefix}-ecs-task-events"
  description = "ECS Task State Change events of ${local.cluster_name}, for the ACL controller"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail        = { clusterArn = [var.ecs_cluster_arn] }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "task_events" {
  count = var.enable_events ? 1 : 0
  rule  = aws_cloudwatch_event_rule.task_events[0].name
  arn   = aws_sqs_queue.task_events[0].arn
}

# Deployment events carry no clusterArn: the cluster is matched by the service ARN's long form.
resource "aws_cloudwatch_event_rule" "service_events" {
  count       = var.enable_events ? 1 : 0
  name        = "${var.name_prefix}-ecs-service-events"
  description = "ECS Deployment State Change events of ${local.cluster_name}'s services, for the ACL controller"
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Deployment State Change"]
    resources     = [{ prefix = "${replace(var.ecs_cluster_arn, ":cluster/", ":service/")}/" }]
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "service_events" {
  count = var.enable_events ? 1 : 0
  rule  = aws_cloudwatch_event_rule.service_events[0].name
  arn   = aws_sqs_queue.task_events[0].arn
}

resource "aws_sqs_queue_policy" "task_events" {
  count     = var.enable_events ? 1 : 0
  queue_url = aws_sqs_queue.task_events[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyTheEcsEventsRules"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.task_events[0].arn
      Condition = {
        ArnEquals = {
          "aws:SourceArn" = [
            aws_cloudwatch_event_rule.task_events[0].arn,
            aws_cloudwatch_event_rule.service_events[0].arn,
          ]
        }
      }
    }]
  })
}
