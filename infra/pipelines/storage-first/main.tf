locals {
  tags     = merge(var.tags, { pipeline = "storage-first" })
  contract = jsondecode(file("${path.module}/../../../functions/storage-first/contract.json"))

  # Local runs: a poison message reaches the DLQ in about 40 s instead of 15 minutes.
  processor_timeout = var.runtime.quick_retries ? 3 : var.processor_timeout
  max_receive_count = var.runtime.quick_retries ? 2 : var.max_receive_count
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
  visibility_timeout_seconds = 6 * local.processor_timeout + var.maximum_batching_window_seconds
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
  environment = {
    POWERTOOLS_SERVICE_NAME = "${var.name}-processor"
    POWERTOOLS_LOG_LEVEL    = var.log_level
  }
  policy_statements = [
    {
      sid       = "ConsumeQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      resources = [module.queue.queue_arn]
    },
    {
      sid       = "DecryptQueue"
      actions   = ["kms:Decrypt"]
      resources = [module.kms.key_arn]
    },
  ]
  tags = local.tags
}

resource "aws_lambda_event_source_mapping" "processor" {
  event_source_arn                   = module.queue.queue_arn
  function_name                      = module.processor.function_arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  enabled                            = var.runtime.event_source_mappings_enabled

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }
}

module "api" {
  source = "../../modules/apigw"
  name   = "${var.name}-api"
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
  # The region's API Gateway account setting (execution logging role) belongs to the stack.
  manage_account_logging_role = false
  tags                        = local.tags
}

module "alarms" {
  source       = "../../modules/cloudwatch-alarms"
  name         = var.name
  kms_key_arn  = module.kms.key_arn
  alarm_emails = var.alarm_emails
  tags         = local.tags

  alarms = {
    dlq-not-empty = {
      description = "Messages failed processing ${local.max_receive_count} times and wait in ${module.queue.dlq_name}: fix the cause, then redrive (see README)."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = module.queue.dlq_name }
      statistic   = "Maximum"
      threshold   = 0
    }
    oldest-message-age = {
      description        = "The oldest message in ${module.queue.queue_name} is older than ${var.oldest_message_age_alarm_seconds}s: the processor is failing or falling behind."
      namespace          = "AWS/SQS"
      metric_name        = "ApproximateAgeOfOldestMessage"
      dimensions         = { QueueName = module.queue.queue_name }
      statistic          = "Maximum"
      threshold          = var.oldest_message_age_alarm_seconds
      evaluation_periods = 3
    }
    processor-errors = {
      description = "The processor function failed (whole invocations, not single records)."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = module.processor.function_name }
      threshold   = 0
    }
    processor-throttles = {
      description = "The processor was throttled: raise the account concurrency or lower maximum_concurrency elsewhere."
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = module.processor.function_name }
      threshold   = 0
    }
    api-5xx = {
      description = "The API answered 5xx: the queue was unreachable and nothing was stored for those requests."
      namespace   = "AWS/ApiGateway"
      metric_name = "5XXError"
      dimensions  = { ApiName = module.api.rest_api_name, Stage = module.api.stage_name }
      threshold   = 0
    }
  }
}
