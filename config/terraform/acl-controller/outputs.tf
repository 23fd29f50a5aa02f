# Outputs: client_token_secret_arn as in the upstream module, plus handles of what we create.

output "client_token_secret_arn" {
  description = "ARN of the secret holding the Consul client ACL token (pass it to mesh-task modules)."
  value       = aws_secretsmanager_secret.client_token.arn
}

output "task_role_arn" {
  description = "ARN of the controller's task role."
  value       = aws_iam_role.task.arn
}

output "service_name" {
  description = "Name of the controller's ECS service."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN of the controller's task definition."
  value       = aws_ecs_task_definition.this.arn
}
