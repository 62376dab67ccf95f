terraform {
  required_version = ">= 1.7.0"

  required_providers {
    # tflint-ignore: terraform_unused_required_providers # every resource is in a child module, but tests/*.tftest.hcl mock "aws" by this local name: without it terraform test configures the real provider
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}
