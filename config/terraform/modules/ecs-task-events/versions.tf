# Provider and Terraform version constraints of the ecs-task-events module (preconditions need
# Terraform 1.2 or later; its callers already need 1.3).
terraform {
  required_version = ">= 1.3.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 4.0.0"
    }
  }
}
