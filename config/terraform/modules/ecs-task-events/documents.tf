# Names, ARNs, event patterns and the queue policy of the module, computed from the inputs only.
#
# Invariants (evaluated with `terraform console` by test/deploy/terraform-task-events.spec.ts):
# - The task rule matches only "ECS Task State Change" events whose detail.clusterArn is
#   ecs_cluster_arn; the service rule (service_events only) only "ECS Deployment State Change"
#   events whose resource is a service of that cluster (those events carry no clusterArn).
# - The queue policy lets events.amazonaws.com send to this queue only on behalf of this module's
#   own rules (aws:SourceArn), nothing else.
# - The ARNs are those AWS gives a queue and a default-bus rule in the cluster's partition, region
#   and account (main.tf's queue policy checks them against the real ones), so they are known at
#   plan time and callers can scope IAM to the queue without reading a resource.
# - This file reads variables only, so it can be evaluated without a provider.

locals {
  cluster_arn_fields = split(":", var.ecs_cluster_arn)
  partition          = local.cluster_arn_fields[1]
  region             = local.cluster_arn_fields[3]
  account            = local.cluster_arn_fields[4]
  cluster_name       = element(split("/", var.ecs_cluster_arn), 1)

  queue_arn        = "arn:${local.partition}:sqs:${local.region}:${local.account}:${var.name}"
  task_rule_arn    = "arn:${local.partition}:events:${local.region}:${local.account}:rule/${var.name}"
  service_rule_arn = var.service_events ? "arn:${local.partition}:events:${local.region}:${local.account}:rule/${var.service_rule_name}" : null

  task_rule_description    = "ECS Task State Change events of ${local.cluster_name}, for ${var.consumer}"
  service_rule_description = "ECS Deployment State Change events of ${local.cluster_name}'s services, for ${var.consumer}"

  task_event_pattern = {
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail        = { clusterArn = [var.ecs_cluster_arn] }
  }

  # Deployment events carry no clusterArn: the cluster is matched by the service ARN's long form.
  service_event_pattern = {
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Deployment State Change"]
    resources     = [{ prefix = "${replace(var.ecs_cluster_arn, ":cluster/", ":service/")}/" }]
  }

  queue_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyTheEcsEventsRules"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = local.queue_arn
      Condition = {
        ArnEquals = { "aws:SourceArn" = concat([local.task_rule_arn], var.service_events ? [local.service_rule_arn] : []) }
      }
    }]
  }
}

output "queue_arn" {
  description = "ARN of the queue (grant its consumer sqs:ReceiveMessage and sqs:DeleteMessage on it)."
  value       = local.queue_arn
}

output "task_rule_arn" {
  description = "ARN of the ECS Task State Change rule."
  value       = local.task_rule_arn
}

output "service_rule_arn" {
  description = "ARN of the ECS Deployment State Change rule, or null without service_events."
  value       = local.service_rule_arn
}
