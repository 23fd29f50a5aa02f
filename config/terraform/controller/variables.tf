# Inputs of the controller module. The first block has exactly the variables of
# terraform-aws-consul-ecs v0.10.0 `modules/controller` (names, types, defaults, and the key
# checks of http_config and grpc_config), so a module block written for upstream works unchanged;
# only the image default differs, and consul_server_hosts refuses `exec=` at plan time (the
# controller would refuse it at start). Inputs we accept but do not use are marked IGNORED; see
# UPSTREAM.md. Our own variables follow and all have defaults.

# --- Inputs of the upstream module (v0.10.0) --------------------------------------------------

variable "consul_ecs_image" {
  description = "Container image of the controller. Defaults to ecs-acl-controller, a drop-in for consul-ecs v0.10 `controller`."
  type        = string
  default     = "ghcr.io/ecs-acl-controller/ecs-acl-controller:0.1.0"
}

variable "ecs_cluster_arn" {
  description = "ARN of the ECS cluster whose mesh tasks the controller cleans up after (and where it runs). Region and account of the IAM scopes come from it."
  type        = string
}

variable "region" {
  description = "IGNORED (upstream declares it and never reads it): the region is the one of ecs_cluster_arn."
  type        = string
}

variable "requires_compatibilities" {
  description = "Launch types the task definition is compatible with."
  type        = list(string)
  default     = ["EC2", "FARGATE"]
}

variable "launch_type" {
  description = "Launch type of the ECS service: EC2 or FARGATE."
  type        = string
  default     = "FARGATE"
}

variable "consul_bootstrap_token_secret_arn" {
  description = "ARN of the Secrets Manager secret with the controller's Consul token (CONSUL_HTTP_TOKEN); it needs acl:write, node:write and, with partitions, operator:write. A `:json-key::` suffix is kept for ECS and stripped for IAM."
  type        = string
}

variable "log_configuration" {
  description = "logConfiguration object of the controller container (see the ECS LogConfiguration API)."
  type        = any
  default     = null
}

variable "iam_role_path" {
  description = "Roles under this path in the cluster's account may log in with the iam-ecs-service-token auth method the controller keeps (controller.iamRolePath)."
  type        = string
  default     = "/consul-ecs/"
}

variable "subnets" {
  description = "Subnets of the controller task. Private subnets need a NAT gateway (or endpoints) for image pulls; public ones need assign_public_ip."
  type        = list(string)
}

variable "consul_server_hosts" {
  description = "DNS name or IP of the Consul servers, without a port (consulServers.hosts). `exec=` commands are not supported by ecs-acl-controller."
  type        = string

  validation {
    condition     = !can(regex("^exec=", var.consul_server_hosts))
    error_message = "ecs-acl-controller does not run exec= host commands: give the servers' DNS name or an IP."
  }
}

variable "skip_server_watch" {
  description = "IGNORED by ecs-acl-controller (it never watches servers over gRPC); still rendered into consulServers.skipServerWatch as upstream."
  type        = bool
  default     = false
}

variable "name_prefix" {
  description = "Prefix of the IAM roles, the execution policy and the task family; must be non-empty."
  type        = string
}

variable "consul_ca_cert_arn" {
  description = "ARN of the Secrets Manager secret with the Consul CA (PEM), used for HTTPS unless consul_https_ca_cert_arn is set; empty for none."
  type        = string
  default     = ""
}

variable "consul_grpc_ca_cert_arn" {
  description = "IGNORED by ecs-acl-controller (no gRPC): neither passed to the container nor granted to the execution role."
  type        = string
  default     = ""
}

variable "consul_https_ca_cert_arn" {
  description = "ARN of the Secrets Manager secret with the CA of Consul's HTTPS API (CONSUL_HTTPS_CACERT_PEM); overrides consul_ca_cert_arn."
  type        = string
  default     = ""
}

variable "assign_public_ip" {
  description = "Give the controller task a public IP; needed on public subnets."
  type        = bool
  default     = false
}

variable "consul_partitions_enabled" {
  description = "Enable admin partitions and namespaces [Consul Enterprise]."
  type        = bool
  default     = false
}

variable "tls" {
  description = "Talk HTTPS to Consul (port 8501 unless http_config.port); false is plain HTTP on 8500."
  type        = bool
  default     = false
}

variable "tls_server_name" {
  description = "Name the Consul server certificate is checked against; empty uses consul_server_hosts."
  type        = string
  default     = ""
}

variable "consul_partition" {
  description = "Admin partition the controller serves when consul_partitions_enabled [Consul Enterprise]."
  type        = string
  default     = "default"
}

variable "security_groups" {
  description = "Security groups of the controller task; empty uses the VPC's default group."
  type        = list(string)
  default     = []
}

variable "additional_execution_role_policies" {
  description = "ARNs of more policies to attach to the execution role."
  type        = list(string)
  default     = []
}

variable "http_config" {
  description = "Overrides of consulServers.http: port, https, tls, tlsServerName (consul-ecs v0.10 schema)."
  type        = any
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.http_config), ["port", "https", "tls", "tlsServerName"])) == 0
    error_message = "http_config may only have the keys port, https, tls and tlsServerName."
  }
}

variable "grpc_config" {
  description = "IGNORED by ecs-acl-controller (no gRPC), but key-checked and rendered into consulServers.grpc as upstream: port, tls, tlsServerName."
  type        = any
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.grpc_config), ["port", "tls", "tlsServerName"])) == 0
    error_message = "grpc_config may only have the keys port, tls and tlsServerName."
  }
}

# --- ecs-acl-controller's own inputs ------------------------------------------------------------

variable "gc_grace_period" {
  description = "How long a stopped task's login tokens and services are kept before removal (-gc-grace-period)."
  type        = string
  default     = "2m"
}

variable "resync_interval" {
  description = "Full relist of tasks, login tokens and services, and re-check of the Consul resources (-resync-interval); at least 1s. Unset: 30s, or with enable_events the controller's own 10m."
  type        = string
  default     = null
}

variable "listen_addr" {
  description = "Address of /metrics, /healthz and /readyz (-listen-addr): 0.0.0.0, [::], 127.0.0.1 or nothing before the port, as the ECS health check probes 127.0.0.1."
  type        = string
  default     = "0.0.0.0:8080"

  validation {
    condition     = can(regex("^(0\\.0\\.0\\.0|\\[::\\]|127\\.0\\.0\\.1)?:[1-9][0-9]{0,4}$", var.listen_addr))
    error_message = "listen_addr must be 0.0.0.0:PORT, [::]:PORT, 127.0.0.1:PORT or :PORT."
  }
}

variable "ecs_read_rate" {
  description = "Client-side limit of ECS read calls per second (-ecs-read-rate), 1 to 1000."
  type        = number
  default     = 10

  validation {
    condition     = var.ecs_read_rate >= 1 && var.ecs_read_rate <= 1000 && floor(var.ecs_read_rate) == var.ecs_read_rate
    error_message = "ecs_read_rate must be a whole number from 1 to 1000."
  }
}

variable "enable_events" {
  description = "Event-driven cleanup: an EventBridge rule sends this cluster's ECS Task State Change events to an SQS queue of this module's own, which the controller consumes (-events-queue-url); the task role may receive and delete on that queue only."
  type        = bool
  default     = false
}

variable "enable_execute_command" {
  description = "Enable ECS Exec into the controller task; adds the ssmmessages grants it needs (upstream always did)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource this module creates."
  type        = map(string)
  default     = {}
}
