# CONSUL_ECS_CONFIG_JSON, as terraform-aws-consul-ecs v0.10.0 `modules/controller` renders it for
# consul-ecs v0.10 (see UPSTREAM.md), so ecs-acl-controller reads the same document consul-ecs did.
#
# Invariants (test/deploy/terraform-controller-config.spec.ts evaluates this file with
# `terraform console` and feeds the result to the controller's own parser):
# - The keys and values are upstream's: controller.{iamRolePath, partitionsEnabled, partition}
#   (the partition is "" unless partitions are on), bootstrapDir "/consul", and consulServers with
#   hosts, skipServerWatch, defaults.{tls, tlsServerName}, and http/grpc whose port and https
#   follow var.tls (8501/8503 and https with TLS, 8500/8502 without) unless http_config or
#   grpc_config set them.
# - No logLevel and no consulLogin: upstream renders neither (INFO, and the static token).
# - This file reads variables only, so it can be evaluated without a provider.

locals {
  consul_http = merge({ port = var.tls ? 8501 : 8500, https = var.tls }, var.http_config)
  consul_grpc = merge({ port = var.tls ? 8503 : 8502 }, var.grpc_config)

  consul_ecs_config = {
    bootstrapDir = "/consul"
    controller = {
      iamRolePath       = var.iam_role_path
      partitionsEnabled = var.consul_partitions_enabled
      partition         = var.consul_partitions_enabled ? var.consul_partition : ""
    }
    consulServers = {
      hosts           = var.consul_server_hosts
      skipServerWatch = var.skip_server_watch
      defaults        = { tls = var.tls, tlsServerName = var.tls_server_name }
      http            = local.consul_http
      grpc            = local.consul_grpc
    }
  }
}
