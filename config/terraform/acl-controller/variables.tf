# Inputs of the acl-controller module. The first block has exactly the variables (names, types,
# defaults) of terraform-aws-consul-ecs v0.4.x `modules/acl-controller`, so the module is a
# drop-in; only the image default differs. Our own variables follow and all have defaults.

# --- Inputs of the upstream module (v0.4.x) ---------------------------------------------------

variable "consul_ecs_image" {
  description = "Container image of the controller. Defaults to ecs-acl-controller, a drop-in for consul-ecs acl-controller."
  type        = string
  default     = "ghcr.io/ecs-acl-controller/ecs-acl-controller:0.1.0"
}

variable "ecs_cluster_arn" {
  description = "ARN of the ECS cluster whose mesh tasks the controller serves (and where it runs)."
  type        = string
}

variable "region" {
  description = "AWS region of the ECS cluster; used in the IAM resource ARNs."
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
  description = "ARN of the Secrets Manager secret with the Consul token the controller uses; it needs at least acl:write."
  type        = string
}

variable "log_configuration" {
  description = "logConfiguration object of the controller container (see the ECS LogConfiguration API)."
  type        = any
  default     = null
}

variable "subnets" {
  description = "Subnets of the controller task. Private subnets need a NAT gateway for image pulls; public ones need assign_public_ip."
  type        = list(string)
}

variable "consul_server_http_addr" {
  description = "Full URL of the Consul server HTTP(S) API, with scheme and port, e.g. https://consul.example.com:8501."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource this module creates, including the secrets; must be non-empty."
  type        = string
}

variable "consul_server_ca_cert_arn" {
  description = "ARN of the Secrets Manager secret with the Consul server CA certificate (PEM); empty for none."
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

variable "consul_partition" {
  description = "Admin partition the controller manages [Consul Enterprise]."
  type        = string
  default     = "default"
}

variable "security_groups" {
  description = "Security groups of the controller task; empty uses the VPC's default group."
  type        = list(string)
  default     = []
}

# --- ecs-acl-controller's own inputs ------------------------------------------------------------

variable "resync_interval" {
  description = "Full relist period of the ECS and Consul caches (-resync-interval)."
  type        = string
  default     = "30s"
}

variable "gc_grace_period" {
  description = "How long a service may have no running mesh task before its tokens are deleted (-gc-grace-period)."
  type        = string
  default     = "2m"
}

variable "concurrency" {
  description = "Workers of the service-token controller (-concurrency), 1 to 64."
  type        = number
  default     = 16
}

variable "log_level" {
  description = "Log level of the controller (-log-level): debug, info, warn or error."
  type        = string
  default     = "info"
}

variable "create_secrets" {
  description = "Let the controller create missing per-service secrets (-create-secrets); adds a tag-scoped CreateSecret grant."
  type        = bool
  default     = false
}

variable "enable_events" {
  description = "Event-driven task updates: an EventBridge rule sends the cluster's ECS Task State Change events to an SQS queue the controller consumes (-events-queue-url)."
  type        = bool
  default     = false
}

variable "enable_execute_command" {
  description = "Enable ECS Exec into the controller task; adds the ssmmessages grants it needs."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource this module creates."
  type        = map(string)
  default     = {}
}
