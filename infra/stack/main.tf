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

module "notes" {
  source = "../pipelines/notes"
  count  = var.enable_notes ? 1 : 0

  name                     = "${var.name_prefix}-notes"
  api_artifact_path        = "${var.artifacts_dir}/notes-api.zip"
  forwarder_artifact_path  = "${var.artifacts_dir}/notes-forwarder.zip"
  word_count_artifact_path = "${var.artifacts_dir}/notes-word-count.zip"
  word_count_timeout       = var.notes_quick_retries ? 3 : 30
  max_receive_count        = var.notes_quick_retries ? 2 : 3
  alarm_emails             = var.alarm_emails
  deletion_protection      = var.deletion_protection
  # The API Gateway account setting is one per region: the storage-first API manages it when both exist.
  manage_account_logging_role   = var.manage_account_logging_role && !var.enable_storage_first
  event_source_mappings_enabled = var.event_source_mappings_enabled
  tags                          = var.tags
}
