module "storage_first" {
  source = "../pipelines/storage-first"
  count  = var.enable_storage_first ? 1 : 0

  name                          = "${var.name_prefix}-storage-first"
  processor_artifact_path       = "${var.artifacts_dir}/storage-first-processor.zip"
  processor_timeout             = var.storage_first_processor_timeout
  max_receive_count             = var.storage_first_max_receive_count
  alarm_emails                  = var.alarm_emails
  manage_account_logging_role   = var.manage_account_logging_role
  event_source_mappings_enabled = var.event_source_mappings_enabled
  tags                          = var.tags
}

module "etl" {
  source = "../pipelines/etl"
  count  = var.enable_etl ? 1 : 0

  name                          = "${var.name_prefix}-etl"
  loader_artifact_path          = "${var.artifacts_dir}/etl-loader.zip"
  sweeper_artifact_path         = "${var.artifacts_dir}/etl-sweeper.zip"
  loader_timeout                = var.etl_loader_timeout
  alarm_emails                  = var.alarm_emails
  deletion_protection           = var.deletion_protection
  event_source_mappings_enabled = var.event_source_mappings_enabled
  tags                          = var.tags
}
