data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  # Tags shared by every resource come from the provider's default_tags (infra/ sets them from var.tags).
  tags        = { pipeline = "etl" }
  bucket_name = "${var.name}-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
  bucket_arn  = "arn:aws:s3:::${local.bucket_name}"

  contract        = jsondecode(file("${path.module}/../../../functions/etl/contract.json"))
  incoming_prefix = local.contract.prefixes.incoming
  # Where the loader writes: everything but incoming/.
  output_prefixes = [for name in ["processed", "superseded", "quarantine", "reports"] : local.contract.prefixes[name]]
  table_keys      = [local.contract.table.partitionKey, local.contract.table.sortKey]

  loader_timeout = var.runtime.quick_retries ? 60 : var.loader_timeout
}

module "kms" {
  source      = "../../modules/kms-key"
  name        = var.name
  description = "Encrypts the ${var.name} bucket, queues, tables, logs and alarm topic."
  # events: the schedule's deliveries it could not make, sent to the encrypted sweeper-failures queue.
  service_principals = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com"]
  # No API here: the functions' log groups are the only ones.
  log_group_name_patterns = ["/aws/lambda/${var.name}-*"]
  tags                    = local.tags
}

module "bucket" {
  source      = "../../modules/s3"
  name        = local.bucket_name
  kms_key_arn = module.kms.key_arn
  # Never incoming/: a noncurrent version there may be one no load has finished yet (the loader removes
  # each version it loaded itself, by version id).
  noncurrent_version_expiration_prefixes = local.output_prefixes
  tags                                   = local.tags
}

module "queue" {
  source                     = "../../modules/sqs-with-dlq"
  name                       = "${var.name}-files"
  kms_key_arn                = module.kms.key_arn
  visibility_timeout_seconds = 6 * local.loader_timeout
  max_receive_count          = var.max_receive_count
  tags                       = local.tags

  source_policy_statements = [{
    sid        = "S3Notifications"
    actions    = ["sqs:SendMessage"]
    principals = { type = "Service", identifiers = ["s3.amazonaws.com"] }
    conditions = [
      { test = "ArnEquals", variable = "aws:SourceArn", values = [local.bucket_arn] },
      { test = "StringEquals", variable = "aws:SourceAccount", values = [data.aws_caller_identity.current.account_id] },
    ]
  }]
}

resource "aws_s3_bucket_notification" "incoming" {
  bucket = module.bucket.bucket_name

  queue {
    queue_arn     = module.queue.queue_arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = local.incoming_prefix
  }
}

# The loaded rows, whatever the schema (functions/etl/schema.ts) describes.
module "rows" {
  source              = "../../modules/dynamodb"
  name                = "${var.name}-rows"
  hash_key            = local.contract.table.partitionKey
  range_key           = local.contract.table.sortKey
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "ledger" {
  source              = "../../modules/dynamodb"
  name                = "${var.name}-ledger"
  hash_key            = "fileId"
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "loader" {
  source        = "../../modules/lambda-function"
  function_name = "${var.name}-loader"
  description   = "Streams CSV files from ${local.bucket_name}/incoming into ${module.rows.table_name}; quarantines bad rows."
  artifact_path = var.loader_artifact_path
  timeout       = local.loader_timeout
  memory_size   = var.loader_memory_size
  kms_key_arn   = module.kms.key_arn
  environment = {
    TABLE_NAME               = module.rows.table_name
    TABLE_KEY_ATTRIBUTES     = join(",", local.table_keys)
    LEDGER_TABLE_NAME        = module.ledger.table_name
    QUEUE_URL                = module.queue.queue_url
    KMS_KEY_ID               = module.kms.key_arn
    SAFETY_MARGIN_MS         = tostring(var.safety_margin_seconds * 1000)
    MAX_FILE_ATTEMPTS        = tostring(var.max_file_attempts)
    BUSY_RETRY_DELAY_SECONDS = tostring(var.busy_retry_delay_seconds)
  }
  # local.bucket_arn (known at plan) rather than the module output, so the wildcard guard checks these
  # statements at plan time.
  policy_statements = [
    {
      sid       = "LoadAndRemoveIncoming"
      actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "s3:DeleteObjectVersion"]
      resources = ["${local.bucket_arn}/${local.incoming_prefix}*"]
      reason    = "Uploaders choose the object keys under incoming/; the prefix is the scope. Only DeleteObjectVersion: the loader removes exactly the version it loaded, never with a delete marker. Tagging: the copy keeps the uploader's tags."
    },
    {
      sid        = "ListVersionsOfIncoming"
      actions    = ["s3:ListBucketVersions"]
      resources  = [local.bucket_arn]
      conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["${local.incoming_prefix}*"] }]
    },
    {
      sid       = "WriteResults"
      actions   = ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]
      resources = [for prefix in local.output_prefixes : "${local.bucket_arn}/${prefix}*"]
      reason    = "Result keys are derived from the uploaded file's name under each output prefix; AbortMultipartUpload cleans up a failed multipart quarantine upload."
    },
    { sid = "LoadTable", actions = ["dynamodb:BatchWriteItem"], resources = [module.rows.table_arn] },
    { sid = "Ledger", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"], resources = [module.ledger.table_arn] },
    # The event source mapping receives and deletes (granted by the module); the function sends
    # continuations and delayed re-queues.
    { sid = "Continue", actions = ["sqs:SendMessage"], resources = [module.queue.queue_arn] },
    { sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn] },
  ]
  event_source_mapping = {
    queue = {
      event_source_arn    = module.queue.queue_arn
      batch_size          = 1 # one file per invocation: each may use the whole timeout
      maximum_concurrency = var.maximum_concurrency
      enabled             = var.runtime.event_source_mappings_enabled
    }
  }
  tags = local.tags
}

# The sweeper is invoked asynchronously by the schedule: a run that still fails after two retries, or
# waits too long, is recorded here (with the error) instead of being dropped; so is a scheduled event
# EventBridge could not deliver to the sweeper at all.
module "sweeper_failures" {
  source      = "../../modules/sqs-with-dlq"
  name        = "${var.name}-sweeper-failures"
  create_dlq  = false # a last stop, read by people: kept 14 days
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
  source_policy_statements = [{
    sid        = "ScheduleDeadLetters"
    actions    = ["sqs:SendMessage"]
    principals = { type = "Service", identifiers = ["events.amazonaws.com"] }
    conditions = [{ test = "ArnEquals", variable = "aws:SourceArn", values = [module.schedule.rule_arns["sweep"]] }]
  }]
}

module "sweeper" {
  source        = "../../modules/lambda-function"
  function_name = "${var.name}-sweeper"
  description   = "Re-notifies versions in ${local.bucket_name}/incoming that no load finished."
  artifact_path = var.sweeper_artifact_path
  timeout       = 120
  kms_key_arn   = module.kms.key_arn
  environment = {
    BUCKET_NAME       = module.bucket.bucket_name
    LEDGER_TABLE_NAME = module.ledger.table_name
    QUEUE_URL         = module.queue.queue_url
    MIN_AGE_SECONDS   = tostring(var.sweep_min_age_seconds)
  }
  policy_statements = [
    {
      sid        = "ListVersionsOfIncoming"
      actions    = ["s3:ListBucketVersions"]
      resources  = [local.bucket_arn]
      conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["${local.incoming_prefix}*"] }]
    },
    { sid = "ReadLedger", actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem"], resources = [module.ledger.table_arn] },
    { sid = "Renotify", actions = ["sqs:SendMessage"], resources = [module.queue.queue_arn] },
    { sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn] },
  ]
  async_on_failure = {
    destination_arn           = module.sweeper_failures.queue_arn
    maximum_retry_attempts    = 2
    maximum_event_age_seconds = 3600
  }
  tags = local.tags
}

# The schedule runs the sweeper (on the default bus, the only one schedules run on). A scheduled event
# EventBridge could not hand to the sweeper after two retries or within an hour (throttled, the
# permission gone) lands in sweeper-failures too, with the error, instead of being lost.
module "schedule" {
  source          = "../../modules/eventbridge"
  name            = var.name
  create_bus      = false
  archive         = null
  dead_letter_arn = module.sweeper_failures.queue_arn
  schedules = {
    sweep = {
      description         = "Finds files in incoming/ whose notification was missed."
      schedule_expression = var.sweep_schedule
      targets = {
        sweeper = {
          arn                       = module.sweeper.function_arn
          lambda_permission         = true
          maximum_retry_attempts    = 2
          maximum_event_age_seconds = 3600
        }
      }
    }
  }
  tags = local.tags
}

module "alarms" {
  source       = "../../modules/cloudwatch-alarms"
  name         = var.name
  kms_key_arn  = module.kms.key_arn
  alarm_emails = var.alarm_emails
  tags         = local.tags

  presets = {
    loader-errors              = { type = "function_errors", function_name = module.loader.function_name, description = "The loader failed whole invocations (a file is retried, then parked in the DLQ)." }
    sweeper-errors             = { type = "function_errors", function_name = module.sweeper.function_name, description = "The sweeper failed: missed notifications are not being caught up." }
    dlq-not-empty              = { type = "dlq_not_empty", queue_name = module.queue.dlq_name, description = "File notifications failed ${var.max_receive_count} times and wait in ${module.queue.dlq_name}: fix the cause, then redrive." }
    sweeper-failures-not-empty = { type = "dlq_not_empty", queue_name = module.sweeper_failures.queue_name, description = "Sweeper runs failed every retry, or scheduled sweeps could not be delivered to the sweeper, and wait in ${module.sweeper_failures.queue_name}: missed notifications are not being caught up." }
    loader-duration            = { type = "function_duration", function_name = module.loader.function_name, threshold = local.loader_timeout * 1000 * 0.8, description = "A load ran within 20% of the timeout: raise memory or timeout before loads start to hand over often." }
  }

  alarms = {
    files-failed = {
      description = "A file failed ${var.max_file_attempts} times the same way and was marked failed in ${module.ledger.table_name} (it is not swept again): see the loader's logs and the DLQ, fix the cause, then redrive."
      namespace   = local.contract.metricNamespace
      metric_name = "FilesFailed"
      dimensions  = { service = "${var.name}-loader" }
      statistic   = "Sum"
      period      = 300
      threshold   = 0
    }
    # Schedules report their metrics by RuleName alone (the default bus).
    sweep-failed           = { description = "EventBridge failed to invoke the sweeper permanently, outside sweeper-failures: a sweep did not run.", namespace = "AWS/Events", metric_name = "FailedInvocations", dimensions = module.schedule.rule_metric_dimensions["sweep"], threshold = 0 }
    sweep-dead-letter-lost = { description = "EventBridge could neither invoke the sweeper nor put the scheduled event in ${module.sweeper_failures.queue_name}: a sweep did not run (check the queue's policy and key).", namespace = "AWS/Events", metric_name = "InvocationsFailedToBeSentToDlq", dimensions = module.schedule.rule_metric_dimensions["sweep"], threshold = 0 }
    rejected-ratio = {
      description = "A file had more than ${var.rejected_ratio_alarm_percent}% rejected rows: see quarantine/ and reports/ in ${local.bucket_name}."
      namespace   = local.contract.metricNamespace
      metric_name = "RejectedRatio"
      dimensions  = { service = "${var.name}-loader" }
      statistic   = "Maximum"
      threshold   = var.rejected_ratio_alarm_percent
    }
  }
}
