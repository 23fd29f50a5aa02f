# Inputs of the ecs-task-events module. Each caller gives its own `name` (and service_rule_name):
# names are the only thing that keeps two callers' queues and rules apart, and SQS gives each
# message to one receiver, so two consumers must never share a queue.

variable "ecs_cluster_arn" {
  description = "ARN of the ECS cluster whose events are delivered; the queue and rules must be created in its region and account."
  type        = string
}

variable "name" {
  description = "Name of the SQS queue and of the ECS Task State Change rule."
  type        = string
}

variable "service_events" {
  description = "Also deliver the ECS Deployment State Change events of the cluster's services (a second rule)."
  type        = bool
  default     = false
}

variable "service_rule_name" {
  description = "Name of the ECS Deployment State Change rule; required with service_events."
  type        = string
  default     = ""
}

variable "consumer" {
  description = "Who consumes the queue, for the rules' descriptions, e.g. \"the ACL controller\"."
  type        = string
}

variable "tags" {
  description = "Tags added to the queue and the rules."
  type        = map(string)
  default     = {}
}
