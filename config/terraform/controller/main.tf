# The controller's task definition and ECS service (one task).
#
# Invariants: the container is container.tf's; the service name, the task family and the network
# inputs are upstream's (terraform-aws-consul-ecs v0.10.0 `modules/controller`), so a switch from
# upstream's module changes the image and the task definition's revision, not the service. One
# controller at a time: a deploy stops the old task before it starts the new one.

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name_prefix}-consul-ecs-controller"
  requires_compatibilities = var.requires_compatibilities
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = jsonencode([local.container])

  volume {
    name = "tmp"
  }

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name                   = "consul-ecs-controller"
  cluster                = var.ecs_cluster_arn
  task_definition        = aws_ecs_task_definition.this.arn
  desired_count          = 1
  launch_type            = var.launch_type
  enable_execute_command = var.enable_execute_command
  # No propagate_tags: with some 4.x AWS providers a change of it replaces the service, and a
  # switch from the upstream module (which sets none) must update it in place.

  network_configuration {
    subnets          = var.subnets
    security_groups  = var.security_groups
    assign_public_ip = var.assign_public_ip
  }

  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  tags = var.tags
}
