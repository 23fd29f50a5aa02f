# The controller's container definition.
#
# Invariants (evaluated with `terraform console` by test/deploy/terraform-controller-config.spec.ts):
# - The command is `controller` plus only our own flags (upstream's module passes none): the
#   grace period, resync interval, listen address and ECS read rate of the variables, and with
#   enable_events `-events-queue-url` of events.tf's queue (then no -resync-interval unless set).
#   Without enable_events it is exactly what it was before events existed.
# - CONSUL_ECS_CONFIG_JSON is config.tf's document; the token and the HTTPS CA come only as
#   task-definition `secrets` (secret-arns.tf), never as plain environment.
# - Port mapping and health check use the port of listen_addr; the health check asks /readyz on
#   127.0.0.1 with node itself (the image has no curl).
# - User, read-only root, /tmp volume and init process as config/ecs/task-definition.json.
# - This file reads variables and events.tf's module call only, so it can be evaluated without a
#   provider.

locals {
  container_name = "consul-ecs-controller"
  ops_port       = tonumber(regex(":([0-9]+)$", var.listen_addr)[0])

  # 30s unless set; with events, unset leaves the command's own long safety-net default (10m).
  resync_interval = var.resync_interval != null ? var.resync_interval : (var.enable_events ? null : "30s")

  container = {
    name                   = local.container_name
    image                  = var.consul_ecs_image
    essential              = true
    user                   = "1000:1000"
    readonlyRootFilesystem = true
    linuxParameters        = { initProcessEnabled = true }
    command = concat(
      ["controller", "-gc-grace-period", var.gc_grace_period],
      local.resync_interval != null ? ["-resync-interval", local.resync_interval] : [],
      ["-listen-addr", var.listen_addr, "-ecs-read-rate", tostring(var.ecs_read_rate)],
      var.enable_events ? ["-events-queue-url", module.task_events[0].queue_url] : [],
    )
    portMappings     = [{ containerPort = local.ops_port, protocol = "tcp", name = "ops" }]
    environment      = [{ name = "CONSUL_ECS_CONFIG_JSON", value = jsonencode(local.consul_ecs_config) }]
    secrets          = local.container_secrets
    mountPoints      = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    volumesFrom      = []
    logConfiguration = var.log_configuration
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.ops_port}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
  }
}
