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
