# The controller's resources: the shared Consul client-token secret, the task definition and the
# ECS service (one task). Invariants: the container is the same as config/ecs/task-definition.json
# (command flags, user, read-only root, /tmp volume, health check on /healthz); the service name,
# task family and secret name follow the upstream module, so switching images changes nothing else.
# The Consul token (and CA) reach the container only through the task definition's `secrets`
# (`valueFrom` = the secret ARN as given, JSON key included), never as a plain environment variable.

data "aws_caller_identity" "this" {}

locals {
  cluster_name   = element(split("/", var.ecs_cluster_arn), 1)
  account_id     = data.aws_caller_identity.this.account_id
  container_name = "consul-acl-controller"
  ops_port       = 8080

  # No -cluster, as upstream: the controller takes the cluster from ECS task metadata as consul-ecs
  # did (the ARN on Fargate, the name on EC2), so the token descriptions consul-ecs wrote keep
  # naming the cluster the same way after a switch and nothing is rewritten.
  command = concat(
    [
      "acl-controller",
      "-consul-client-secret-arn", aws_secretsmanager_secret.client_token.arn,
      "-secret-name-prefix", var.name_prefix,
      "-resync-interval", var.resync_interval,
      "-gc-grace-period", var.gc_grace_period,
      "-concurrency", tostring(var.concurrency),
      "-log-level", var.log_level,
      "-listen-addr", "0.0.0.0:${local.ops_port}",
    ],
    var.consul_partitions_enabled ? ["-partitions-enabled", "-partition", var.consul_partition] : [],
    var.create_secrets ? ["-create-secrets"] : [],
    var.enable_events ? ["-events-queue-url", module.task_events[0].queue_url] : [],
  )

  secrets = concat(
    [{ name = "CONSUL_HTTP_TOKEN", valueFrom = var.consul_bootstrap_token_secret_arn }],
    var.consul_server_ca_cert_arn != "" ? [{ name = "CONSUL_CACERT_PEM", valueFrom = var.consul_server_ca_cert_arn }] : [],
  )

  container = {
    name                   = local.container_name
    image                  = var.consul_ecs_image
    essential              = true
    user                   = "1000:1000"
    readonlyRootFilesystem = true
    linuxParameters        = { initProcessEnabled = true }
    command                = local.command
    portMappings           = [{ containerPort = local.ops_port, protocol = "tcp", name = "ops" }]
    environment            = [{ name = "CONSUL_HTTP_ADDR", value = var.consul_server_http_addr }]
    secrets                = local.secrets
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    volumesFrom            = []
    logConfiguration       = var.log_configuration
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 15
    }
  }
}

resource "aws_secretsmanager_secret" "client_token" {
  name                    = "${var.name_prefix}-consul-client-token"
  recovery_window_in_days = 0
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "client_token" {
  secret_id     = aws_secretsmanager_secret.client_token.id
  secret_string = jsonencode({})

  # The controller writes the real token; Terraform only seeds the empty value.
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name_prefix}-consul-acl-controller"
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
  name                   = "consul-acl-controller"
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

  # One controller at a time: stop the old task before starting the new one on deploys.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  tags = var.tags
}
