locals {
  # Tags shared by every resource come from the provider's default_tags (infra/ sets them from var.tags).
  tags     = { pipeline = "storage-first" }
  contract = jsondecode(file("${path.module}/../../../functions/storage-first/contract.json"))

  # Local runs: a poison message reaches the DLQ in about 20 s instead of 15 minutes. AWS wants six
  # timeouts of visibility (Lambda's pollers overlap and retry); the local runtime polls one batch at a
  # time and enforces the timeout, so the timeout plus the batching window and a margin is enough there.
  processor_timeout  = var.runtime.quick_retries ? 3 : var.processor_timeout
  max_receive_count  = var.runtime.quick_retries ? 2 : var.max_receive_count
  visibility_timeout = var.runtime.quick_retries ? local.processor_timeout + var.maximum_batching_window_seconds + 5 : 6 * local.processor_timeout + var.maximum_batching_window_seconds
}

module "kms" {
  source             = "../../modules/kms-key"
  name               = var.name
  description        = "Encrypts the ${var.name} queues, logs, environment and alarm topic."
  service_principals = ["cloudwatch.amazonaws.com"]
  tags               = local.tags
}

module "queue" {
  source                     = "../../modules/sqs-with-dlq"
  name                       = "${var.name}-messages"
  kms_key_arn                = module.kms.key_arn
  visibility_timeout_seconds = local.visibility_timeout
  max_receive_count          = local.max_receive_count
  max_message_size           = var.max_message_size
  tags                       = local.tags
}

module "processor" {
  source        = "../../modules/lambda-function"
  function_name = "${var.name}-processor"
  description   = "Processes messages the API stored in ${module.queue.queue_name}; reports only failed records."
  artifact_path = var.processor_artifact_path
  timeout       = local.processor_timeout
  kms_key_arn   = module.kms.key_arn
  log_level     = var.log_level
  # The module grants the mapping's reads; the queue's key is the function's own (kms:Decrypt).
  event_source_mapping = {
    queue = {
      event_source_arn                   = module.queue.queue_arn
      batch_size                         = var.batch_size
      maximum_batching_window_in_seconds = var.maximum_batching_window_seconds
      maximum_concurrency                = var.maximum_concurrency
      enabled                            = var.runtime.event_source_mappings_enabled
    }
  }
  tags = local.tags
}

module "api" {
  source             = "../../modules/apigw"
  name               = "${var.name}-api"
  path_part          = "messages"
  request_model_name = "Message"
  integration = {
    type                 = "sqs"
    sqs_queue_arn        = module.queue.queue_arn
    sqs_max_message_size = var.max_message_size
  }
  target_kms_key_arn   = module.kms.key_arn
  kms_key_arn          = module.kms.key_arn
  throttle_rate_limit  = var.throttle_rate_limit
  throttle_burst_limit = var.throttle_burst_limit
  max_body_depth       = local.contract.maxBodyDepth
  account_setting_id   = var.api_gateway_account_setting_id
  tags                 = local.tags
}

module "alarms" {
  source       = "../../modules/cloudwatch-alarms"
  name         = var.name
  kms_key_arn  = module.kms.key_arn
  alarm_emails = var.alarm_emails
  tags         = local.tags

  presets = {
    dlq-not-empty       = { type = "dlq_not_empty", queue_name = module.queue.dlq_name, description = "Messages failed processing ${local.max_receive_count} times and wait in ${module.queue.dlq_name}: fix the cause, then redrive (see README)." }
    oldest-message-age  = { type = "queue_oldest_message_age", queue_name = module.queue.queue_name, threshold = var.oldest_message_age_alarm_seconds, description = "The oldest message in ${module.queue.queue_name} is older than ${var.oldest_message_age_alarm_seconds}s: the processor is failing or falling behind." }
    processor-errors    = { type = "function_errors", function_name = module.processor.function_name, description = "The processor function failed (whole invocations, not single records)." }
    processor-throttles = { type = "function_throttles", function_name = module.processor.function_name, description = "The processor was throttled: raise the account concurrency or lower maximum_concurrency elsewhere." }
    api-5xx             = { type = "api_5xx", api_name = module.api.rest_api_name, stage_name = module.api.stage_name, description = "The API answered 5xx: the queue was unreachable and nothing was stored for those requests." }
  }
}
