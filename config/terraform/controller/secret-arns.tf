# The secrets the container gets and the execution role may read.
#
# Invariants (evaluated with `terraform console` by test/deploy/terraform-controller-config.spec.ts):
# - The HTTPS CA is consul_https_ca_cert_arn, else consul_ca_cert_arn, as upstream picks it; the
#   gRPC CA (consul_grpc_ca_cert_arn, or consul_ca_cert_arn for gRPC) is never used: no gRPC.
# - The task definition's `valueFrom` is each ARN exactly as given (a `:json-key:stage:id` suffix
#   included); the execution role's resources are the secrets' own ARNs, the suffix stripped
#   (terraform-aws-consul-ecs issue #135), so the grant matches the secret ECS reads.
# - This file reads variables only, so it can be evaluated without a provider.

locals {
  https_ca_cert_arn = var.consul_https_ca_cert_arn != "" ? var.consul_https_ca_cert_arn : var.consul_ca_cert_arn

  container_secrets = concat(
    [{ name = "CONSUL_HTTP_TOKEN", valueFrom = var.consul_bootstrap_token_secret_arn }],
    local.https_ca_cert_arn != "" ? [{ name = "CONSUL_HTTPS_CACERT_PEM", valueFrom = local.https_ca_cert_arn }] : [],
  )

  secret_arn_suffix = "/^(arn:[^:]+:secretsmanager:[^:]+:[^:]*:secret:[^:]+):.*$/"

  execution_secret_arns = distinct([
    for secret in local.container_secrets : replace(secret.valueFrom, local.secret_arn_suffix, "$1")
  ])
}
