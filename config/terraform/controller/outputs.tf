# Outputs. Upstream's module has none; these are handles of what this module creates.

output "task_role_arn" {
  description = "ARN of the controller's task role."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ARN of the controller's execution role."
  value       = aws_iam_role.execution.arn
}

output "service_name" {
  description = "Name of the controller's ECS service."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN of the controller's task definition."
  value       = aws_ecs_task_definition.this.arn
}
