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
  enable_storage_first        = var.enable_storage_first
  enable_etl                  = var.enable_etl
  enable_notes                = var.enable_notes
  alarm_emails                = var.alarm_emails
  manage_account_logging_role = var.manage_account_logging_role
}
