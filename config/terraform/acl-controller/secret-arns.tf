# Secret ARNs as IAM needs them. An ECS `valueFrom` may name a JSON key, a version stage and a
# version id after the secret's ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf
# :<json-key>:<version-stage>:<version-id>); an IAM Resource must be the secret's own ARN, or the
# grant matches nothing and the task cannot start (terraform-aws-consul-ecs issue #135).
#
# Invariants (test/deploy/terraform-module.spec.ts evaluates this file with `terraform console`):
# - Only Secrets Manager ARNs change, and only by dropping everything after the 7th field;
#   anything else (an SSM parameter ARN) is kept as given.
# - The task definition's `secrets` keep the full `valueFrom` (ECS needs the JSON key); only the
#   IAM resources use the stripped ARNs.
# - This file reads variables only, so it can be evaluated without a provider.

locals {
  secret_arn_suffix = "/^(arn:[^:]+:secretsmanager:[^:]+:[^:]*:secret:[^:]+):.*$/"

  execution_secret_arns = distinct([
    for arn in compact([var.consul_bootstrap_token_secret_arn, var.consul_server_ca_cert_arn]) :
    replace(arn, local.secret_arn_suffix, "$1")
  ])
}
