# Every pipeline of the stack. Adding one: its module block below (count from var.pipelines_enabled,
# runtime) and its line in local.pipelines; infra/ and infra/local/ pass everything through.

locals {
  # Pipeline key -> module instances (zero or one): the outputs and the check of var.pipelines_enabled read it.
  pipelines = {
    storage_first      = module.storage_first
    etl                = module.etl
    notes              = module.notes
    reliable_messaging = module.reliable_messaging
    streaming_events   = module.streaming_events
  }
}

module "storage_first" {
  source = "../pipelines/storage-first"
  count  = lookup(var.pipelines_enabled, "storage_first", true) ? 1 : 0

  name                    = "${var.name_prefix}-storage-first"
  processor_artifact_path = "${var.artifacts_dir}/storage-first-processor.zip"
  alarm_emails            = var.alarm_emails
  runtime                 = var.runtime
  # The API's stage logs through the region's account setting (apigw-account.tf).
  api_gateway_account_setting_id = one(aws_api_gateway_account.this[*].id)
}

module "etl" {
  source = "../pipelines/etl"
  count  = lookup(var.pipelines_enabled, "etl", true) ? 1 : 0

  name                  = "${var.name_prefix}-etl"
  loader_artifact_path  = "${var.artifacts_dir}/etl-loader.zip"
  sweeper_artifact_path = "${var.artifacts_dir}/etl-sweeper.zip"
  alarm_emails          = var.alarm_emails
  deletion_protection   = var.deletion_protection
  runtime               = var.runtime
}

module "notes" {
  source = "../pipelines/notes"
  count  = lookup(var.pipelines_enabled, "notes", true) ? 1 : 0

  name                     = "${var.name_prefix}-notes"
  api_artifact_path        = "${var.artifacts_dir}/notes-api.zip"
  forwarder_artifact_path  = "${var.artifacts_dir}/notes-forwarder.zip"
  word_count_artifact_path = "${var.artifacts_dir}/notes-word-count.zip"
  alarm_emails             = var.alarm_emails
  deletion_protection      = var.deletion_protection
  runtime                  = var.runtime

  api_gateway_account_setting_id = one(aws_api_gateway_account.this[*].id)
}

module "reliable_messaging" {
  source = "../pipelines/reliable-messaging"
  count  = lookup(var.pipelines_enabled, "reliable_messaging", true) ? 1 : 0

  name                = "${var.name_prefix}-reliable-messaging"
  artifact_paths      = { for h in ["ingest", "archive", "cleanup", "salvage"] : h => "${var.artifacts_dir}/reliable-messaging-${h}.zip" }
  alarm_emails        = var.alarm_emails
  deletion_protection = var.deletion_protection
  runtime             = var.runtime

  api_gateway_account_setting_id = one(aws_api_gateway_account.this[*].id)
}

module "streaming_events" {
  source = "../pipelines/streaming-events"
  count  = lookup(var.pipelines_enabled, "streaming_events", true) ? 1 : 0

  name                = "${var.name_prefix}-streaming-events"
  artifact_paths      = { for h in ["transformer", "storer", "emitter", "consumer"] : h => "${var.artifacts_dir}/streaming-events-${h}.zip" }
  alarm_emails        = var.alarm_emails
  deletion_protection = var.deletion_protection
  runtime             = var.runtime
}
