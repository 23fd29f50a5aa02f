# Provider and Terraform version constraints of the controller module (optional variable
# validations that read several variables need Terraform 1.3 or later, as the acl-controller
# module already does).
terraform {
  required_version = ">= 1.3.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 4.0.0"
    }
  }
}
