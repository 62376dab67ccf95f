terraform {
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }

  # Configure a remote backend for real deployments, e.g. in backend.tf:
  # backend "s3" { bucket = "...", key = "ingestion/terraform.tfstate", region = "...", use_lockfile = true }
}
