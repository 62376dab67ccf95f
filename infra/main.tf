provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

module "stack" {
  source = "./stack"

  name_prefix                 = var.name_prefix
  artifacts_dir               = var.artifacts_dir
  pipelines_enabled           = var.pipelines_enabled
  alarm_emails                = var.alarm_emails
  manage_account_logging_role = var.manage_account_logging_role
}
