locals {
  # Tags shared by every resource come from the provider's default_tags (infra/ sets them from var.tags).
  tags     = { pipeline = "notes" }
  contract = jsondecode(file("${path.module}/../../../functions/notes/contract.json"))

  # Local runs: a failing count request reaches the DLQ in seconds. AWS wants six timeouts of
  # visibility (Lambda's pollers overlap and retry); the local runtime polls one batch at a time and
  # enforces the timeout, so the timeout and a margin are enough there.
  word_count_timeout = var.runtime.quick_retries ? 3 : var.word_count_timeout
  max_receive_count  = var.runtime.quick_retries ? 2 : var.max_receive_count
  visibility_timeout = var.runtime.quick_retries ? local.word_count_timeout + 5 : 6 * local.word_count_timeout
}

module "kms" {
  source             = "../../modules/kms-key"
  name               = var.name
  description        = "Encrypts the ${var.name} table, its stream, queues, logs and alarm topic."
  service_principals = ["cloudwatch.amazonaws.com"]
  tags               = local.tags
}

module "table" {
  source              = "../../modules/dynamodb"
  name                = var.name
  hash_key            = "noteId"
  stream_view_type    = "NEW_AND_OLD_IMAGES"
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "api_function" {
  source        = "../../modules/lambda-function"
  function_name = "${var.name}-api"
  description   = "Notes API: create, get, list, update, delete in ${module.table.table_name}."
  artifact_path = var.api_artifact_path
  timeout       = 10
  kms_key_arn   = module.kms.key_arn
  log_level     = var.log_level
  environment = {
    TABLE_NAME = module.table.table_name
  }
  policy_statements = [
    { sid = "Notes", actions = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources = [module.table.table_arn] },
    { sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn] },
  ]
  tags = local.tags
}

module "api" {
  source    = "../../modules/apigw"
  name      = "${var.name}-api"
  path_part = "notes"
  integration = {
    type                 = "lambda"
    lambda_function_name = module.api_function.function_name
    lambda_invoke_arn    = module.api_function.invoke_arn
    item_path_parameter  = "noteId"
    collection_methods   = ["GET", "POST"]
    item_methods         = ["GET", "PUT", "DELETE"]
  }
  authorization        = var.api_authorization
  request_schema       = jsonencode(local.contract.noteInputSchema)
  request_model_name   = local.contract.noteInputSchema.title
  kms_key_arn          = module.kms.key_arn
  throttle_rate_limit  = var.throttle_rate_limit
  throttle_burst_limit = var.throttle_burst_limit
  account_setting_id   = var.api_gateway_account_setting_id
  tags                 = local.tags
}

# Attach to the roles and users that may call the notes API (authorization = AWS_IAM).
resource "aws_iam_policy" "api_invoke" {
  name        = "${var.name}-api-invoke"
  description = "Invoke every route of the ${var.name} notes API."
  policy      = module.api.invoke_policy_json
  tags        = local.tags
}

module "queue" {
  source                     = "../../modules/sqs-with-dlq"
  name                       = "${var.name}-word-count"
  kms_key_arn                = module.kms.key_arn
  visibility_timeout_seconds = local.visibility_timeout
  max_receive_count          = local.max_receive_count
  tags                       = local.tags
}

# The stream mapping's on-failure destination: Lambda puts here the shard and sequence range of
# records it gave up on (the notes themselves stay in the table; see the README on recounting).
module "stream_failures" {
  source      = "../../modules/sqs-with-dlq"
  name        = "${var.name}-stream-failures"
  create_dlq  = false # a last stop, read by people: kept 14 days
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "forwarder" {
  source        = "../../modules/lambda-function"
  function_name = "${var.name}-forwarder"
  description   = "Forwards new and changed notes from the ${module.table.table_name} stream to ${module.queue.queue_name}."
  artifact_path = var.forwarder_artifact_path
  timeout       = 60
  kms_key_arn   = module.kms.key_arn
  log_level     = var.log_level
  environment = {
    QUEUE_URL = module.queue.queue_url
  }
  # The module grants the mapping's stream reads (DescribeStream, GetRecords, GetShardIterator on the
  # stream: ListStreams, which takes no stream ARN, is never called) and the send to its on-failure queue.
  policy_statements = [
    { sid = "Forward", actions = ["sqs:SendMessage"], resources = [module.queue.queue_arn] },
    { sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn] },
  ]
  event_source_mapping = {
    stream = {
      event_source_arn               = module.table.stream_arn
      starting_position              = "TRIM_HORIZON"
      batch_size                     = var.stream_batch_size
      bisect_batch_on_function_error = true
      maximum_retry_attempts         = var.stream_maximum_retry_attempts
      maximum_record_age_in_seconds  = var.stream_maximum_record_age_seconds
      destination_on_failure         = module.stream_failures.queue_arn
      enabled                        = var.runtime.event_source_mappings_enabled
      # Deletions never need a count: dropped by Lambda before any invocation. Title edits and the
      # count's own write-back are MODIFY records too; only the forwarder can compare old and new content.
      filter_patterns = [jsonencode({ eventName = ["INSERT", "MODIFY"] })]
    }
  }
  tags = local.tags
}

module "word_count" {
  source        = "../../modules/lambda-function"
  function_name = "${var.name}-word-count"
  description   = "Counts the words of each note version in ${module.queue.queue_name} and writes the count if the note still has that version."
  artifact_path = var.word_count_artifact_path
  timeout       = local.word_count_timeout
  kms_key_arn   = module.kms.key_arn
  log_level     = var.log_level
  environment = {
    TABLE_NAME = module.table.table_name
  }
  policy_statements = [
    # The count request names the note and version; the function reads the text, then writes the count.
    { sid = "ReadNoteWriteCount", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [module.table.table_arn] },
    { sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn] },
  ]
  # The function itself never touches the queue: the mapping receives and deletes.
  event_source_mapping = {
    queue = {
      event_source_arn    = module.queue.queue_arn
      batch_size          = var.word_count_batch_size
      maximum_concurrency = 5
      enabled             = var.runtime.event_source_mappings_enabled
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
    stream-iterator-age      = { type = "stream_iterator_age", function_name = module.forwarder.function_name, threshold = var.iterator_age_alarm_seconds * 1000, description = "The forwarder is more than ${var.iterator_age_alarm_seconds}s behind the ${module.table.table_name} stream (records expire after 24 h): it is failing or too slow." }
    stream-failures          = { type = "dlq_not_empty", queue_name = module.stream_failures.queue_name, description = "The forwarder gave up on stream records (see ${module.stream_failures.queue_name}): recount the notes they name (README)." }
    word-count-dlq-not-empty = { type = "dlq_not_empty", queue_name = module.queue.dlq_name, description = "Count requests failed ${local.max_receive_count} times and wait in ${module.queue.dlq_name}: fix the cause, then redrive." }
    forwarder-errors         = { type = "function_errors", function_name = module.forwarder.function_name, description = "The forwarder failed whole invocations (the stream retries them, bisecting)." }
    word-count-errors        = { type = "function_errors", function_name = module.word_count.function_name, description = "The word-count function failed whole invocations." }
    api-errors               = { type = "function_errors", function_name = module.api_function.function_name, description = "The notes API function failed (clients got 5xx)." }
    api-5xx                  = { type = "api_5xx", api_name = module.api.rest_api_name, stage_name = module.api.stage_name, description = "The notes API answered 5xx." }
  }
}
