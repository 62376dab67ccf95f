data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  # Tags shared by every resource come from the provider's default_tags (infra/ sets them from var.tags).
  tags     = { pipeline = "streaming-events" }
  contract = jsondecode(file("${path.module}/../../../functions/streaming-events/contract.json"))
  region   = data.aws_region.current.name

  # Bucket names are global: the account id keeps two accounts' stacks apart.
  lake_bucket_name = "${var.name}-lake-${data.aws_caller_identity.current.account_id}"

  # Local runs: Firehose's buffers flush in a second or two, failures reach their queues within a minute.
  lake_buffering    = var.runtime.quick_retries ? { size_mb = 1, interval_seconds = 2 } : var.lake_buffering
  processor         = var.runtime.quick_retries ? merge(var.processor, { buffer_interval_seconds = 1 }) : var.processor
  max_receive_count = var.runtime.quick_retries ? 2 : var.queue_max_receive_count
  stream_retries    = var.runtime.quick_retries ? 2 : var.stream.maximum_retry_attempts
  stream_record_age = var.runtime.quick_retries ? 60 : var.stream.maximum_record_age_seconds
  delivery_retries  = var.runtime.quick_retries ? 2 : 185
  delivery_age      = var.runtime.quick_retries ? 60 : 86400
  consumer_retries  = var.runtime.quick_retries ? 0 : 2
  consumer_age      = var.runtime.quick_retries ? 60 : 21600

  # A failed FIFO event comes back after six storer timeouts (AWS's rule: Lambda's pollers overlap and
  # retry), 3 minutes. Locally after 10 s: the runtime polls one batch at a time and enforces the timeout,
  # so the timeout and a margin are enough there.
  storer_timeout     = var.runtime.quick_retries ? 5 : 30
  visibility_timeout = var.runtime.quick_retries ? local.storer_timeout + 5 : 6 * local.storer_timeout
}

module "kms" {
  source      = "../../modules/kms-key"
  name        = var.name
  description = "Encrypts the ${var.name} delivery stream, lake, queues, tables and their stream, event bus, logs and alarm topic."
  # cloudwatch: the alarm topic; events: the bus and the consumer's dead-letter queue it sends to.
  service_principals      = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
  log_group_name_patterns = ["/aws/lambda/${var.name}-*", "/aws/kinesisfirehose/${var.name}"]
  tags                    = local.tags
}

# The data lake: one newline-delimited JSON line per valid event, under the contract's time-partitioned
# prefix; invalid records under the error prefix.
module "lake" {
  source      = "../../modules/s3"
  name        = local.lake_bucket_name
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "stream" {
  source              = "../../modules/kinesis"
  name                = var.name
  bucket_arn          = module.lake.bucket_arn
  kms_key_arn         = module.kms.key_arn
  prefix              = local.contract.lake.prefix
  error_output_prefix = local.contract.lake.errorOutputPrefix
  buffering           = local.lake_buffering
  file_extension      = ".jsonl"
  processor = {
    lambda_arn              = module.function["transformer"].function_arn
    number_of_retries       = local.processor.number_of_retries
    buffer_size_mb          = local.processor.buffer_size_mb
    buffer_interval_seconds = local.processor.buffer_interval_seconds
  }
  tags = local.tags
}

# Attach to the roles and users that send events (the generator writes to the stream with IAM).
resource "aws_iam_policy" "producer" {
  name        = "${var.name}-producer"
  description = "PutRecord and PutRecordBatch on the ${var.name} delivery stream."
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "PutRecords", Effect = "Allow", Action = ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource = module.stream.delivery_stream_arn }]
  })
  tags = local.tags
}

# One message group per entity (ordering per entity, parallel across entities); the transformer sets a
# deduplication id from the record's bytes, so a Firehose retry of a batch adds nothing.
module "queue" {
  source                      = "../../modules/sqs-with-dlq"
  name                        = "${var.name}-events"
  fifo                        = true
  content_based_deduplication = false
  kms_key_arn                 = module.kms.key_arn
  visibility_timeout_seconds  = local.visibility_timeout
  max_receive_count           = local.max_receive_count
  max_message_size            = local.contract.limits.maxEventBytes
  tags                        = local.tags
}

# The event store, keyed so that no two events collide: entity + <occurredAt>#<eventId>.
module "events_table" {
  source              = "../../modules/dynamodb"
  name                = "${var.name}-events"
  hash_key            = local.contract.table.partitionKey
  range_key           = local.contract.table.sortKey
  stream_view_type    = local.contract.table.streamViewType
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

# What the example consumer has handled, by event id (a replayed event changes nothing).
module "consumed_table" {
  source              = "../../modules/dynamodb"
  name                = "${var.name}-consumed"
  hash_key            = local.contract.consumer.table.partitionKey
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

# The emitter's on-failure destination: Lambda puts here the shard and sequence range of stream records
# it gave up on (the events themselves stay in the table).
module "emitter_failures" {
  source      = "../../modules/sqs-with-dlq"
  name        = "${var.name}-emitter-failures"
  create_dlq  = false # a last stop, read by people: kept 14 days
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

# Events EventBridge could not deliver to the consumer (after its retries) or could not encrypt, and
# consumer invocations that still failed after Lambda's retries: a last stop, read by people.
module "consumer_dlq" {
  source      = "../../modules/sqs-with-dlq"
  name        = "${var.name}-consumer-dlq"
  create_dlq  = false
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
  source_policy_statements = [{
    sid        = "EventBridgeSend"
    actions    = ["sqs:SendMessage"]
    principals = { type = "Service", identifiers = ["events.amazonaws.com"] }
    conditions = [{ test = "ArnEquals", variable = "aws:SourceArn", values = [module.events.rule_arns["consumer"], module.events.bus_arn] }]
  }]
}

locals {
  # The key through the services each function calls only (kms:Decrypt of the environment is the module's).
  use_key = { for f, services in {
    transformer = ["sqs"]
    storer      = ["sqs", "dynamodb"]
    emitter     = ["dynamodb", "events", "sqs"]
    consumer    = ["dynamodb", "sqs"]
    } : f => {
    sid        = "UseKey"
    actions    = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources  = [module.kms.key_arn]
    conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [for s in services : "${s}.${local.region}.amazonaws.com"] }]
  } }

  functions = {
    transformer = {
      description = "Firehose processor of ${var.name}: validates each record, returns one JSON line per valid record (ProcessingFailed with the reason otherwise) and sends the valid ones to ${module.queue.queue_name}."
      # Firehose waits up to 5 minutes for the processor; a 3 MB batch is a few hundred SendMessageBatch calls.
      timeout     = 120
      environment = { QUEUE_URL = module.queue.queue_url }
      statements  = [{ sid = "SendToQueue", actions = ["sqs:SendMessage"], resources = [module.queue.queue_arn] }]
      mappings    = {}
      async       = null
    }
    storer = {
      description = "Stores each event of ${module.queue.queue_name} in ${module.events_table.table_name} once (conditional put), in group order."
      timeout     = local.storer_timeout
      environment = { TABLE_NAME = module.events_table.table_name }
      statements  = [{ sid = "StoreEvents", actions = ["dynamodb:PutItem"], resources = [module.events_table.table_arn] }]
      mappings = {
        queue = { event_source_arn = module.queue.queue_arn, batch_size = 10, enabled = var.runtime.event_source_mappings_enabled }
      }
      async = null
    }
    emitter = {
      description = "Emits each new event of the ${module.events_table.table_name} stream on ${var.name}, retrying the entries PutEvents failed."
      timeout     = 60
      environment = { EVENT_BUS_NAME = module.events.bus_name }
      statements  = [{ sid = "EmitEvents", actions = ["events:PutEvents"], resources = [module.events.bus_arn] }]
      mappings = {
        stream = {
          event_source_arn               = module.events_table.stream_arn
          starting_position              = "TRIM_HORIZON"
          batch_size                     = var.stream.batch_size
          bisect_batch_on_function_error = true
          maximum_retry_attempts         = local.stream_retries
          maximum_record_age_in_seconds  = local.stream_record_age
          destination_on_failure         = module.emitter_failures.queue_arn
          enabled                        = var.runtime.event_source_mappings_enabled
        }
      }
      async = null
    }
    consumer = {
      description = "Example consumer of ${local.contract.consumer.detailType} events on ${var.name}: records each event id once in ${module.consumed_table.table_name}."
      timeout     = 30
      environment = { CONSUMED_TABLE = module.consumed_table.table_name }
      statements  = [{ sid = "RecordConsumed", actions = ["dynamodb:PutItem"], resources = [module.consumed_table.table_arn] }]
      mappings    = {}
      # Invoked asynchronously by the rule: what still fails after Lambda's retries joins the rule's DLQ.
      async = { destination_arn = module.consumer_dlq.queue_arn, maximum_retry_attempts = local.consumer_retries, maximum_event_age_seconds = local.consumer_age }
    }
  }
}

module "function" {
  source   = "../../modules/lambda-function"
  for_each = local.functions

  function_name        = "${var.name}-${each.key}"
  description          = each.value.description
  artifact_path        = var.artifact_paths[each.key]
  timeout              = each.value.timeout
  memory_size          = 512
  kms_key_arn          = module.kms.key_arn
  log_level            = var.log_level
  environment          = each.value.environment
  policy_statements    = concat(each.value.statements, [local.use_key[each.key]])
  event_source_mapping = each.value.mappings
  async_on_failure     = each.value.async
  tags                 = local.tags
}

module "events" {
  source          = "../../modules/eventbridge"
  name            = var.name
  kms_key_arn     = module.kms.key_arn
  dead_letter_arn = module.consumer_dlq.queue_arn
  rules = {
    consumer = {
      description   = "${local.contract.consumer.detailType} events of ${local.contract.eventBridge.source}, for the example consumer."
      event_pattern = jsonencode({ source = [local.contract.eventBridge.source], "detail-type" = [local.contract.consumer.detailType] })
      targets = {
        consumer = {
          arn                       = module.function["consumer"].function_arn
          lambda_permission         = true
          dead_letter_arn           = module.consumer_dlq.queue_arn
          maximum_retry_attempts    = local.delivery_retries
          maximum_event_age_seconds = local.delivery_age
        }
      }
    }
  }
  archive = { retention_days = var.event_archive_days }
  tags    = local.tags
}

locals {
  metric          = { for k, f in module.function : k => { service = f.function_name } }
  rule_dimensions = { EventBusName = module.events.bus_name, RuleName = module.events.rule_names["consumer"] }
}

module "alarms" {
  source       = "../../modules/cloudwatch-alarms"
  name         = var.name
  kms_key_arn  = module.kms.key_arn
  alarm_emails = var.alarm_emails
  tags         = local.tags

  presets = merge(
    { for k, f in module.function : "${k}-errors" => { type = "function_errors", function_name = f.function_name } },
    {
      queue-dlq-not-empty    = { type = "dlq_not_empty", queue_name = module.queue.dlq_name, description = "Events the storer failed ${local.max_receive_count} times wait in ${module.queue.dlq_name} (later events of their entity were stored meanwhile): fix the cause, then redrive." }
      emitter-failures       = { type = "dlq_not_empty", queue_name = module.emitter_failures.queue_name, description = "The emitter gave up on stream records (see ${module.emitter_failures.queue_name}): their events are in ${module.events_table.table_name} but were not emitted." }
      consumer-dlq-not-empty = { type = "dlq_not_empty", queue_name = module.consumer_dlq.queue_name, description = "Events did not reach the consumer, or failed it after every retry: they wait in ${module.consumer_dlq.queue_name}; the archive can replay them." }
      emitter-iterator-age   = { type = "stream_iterator_age", function_name = module.function["emitter"].function_name, threshold = var.iterator_age_alarm_seconds * 1000, description = "The emitter is more than ${var.iterator_age_alarm_seconds}s behind the ${module.events_table.table_name} stream (records expire after 24 h)." }
    },
  )

  alarms = {
    processing-failing = { description = "Firehose invocations of the transformer failed (the queue refused records, or the function erred): after the retries whole batches go under the error prefix.", namespace = "AWS/Firehose", metric_name = "ExecuteProcessing.Success", dimensions = module.stream.metric_dimensions, statistic = "Average", threshold = 1, comparison_operator = "LessThanThreshold" }
    delivery-failing   = { description = "Firehose failed to write to ${module.lake.bucket_name} (it retries for 24 h, then writes under the error prefix).", namespace = "AWS/Firehose", metric_name = "DeliveryToS3.Success", dimensions = module.stream.metric_dimensions, statistic = "Average", threshold = 1, comparison_operator = "LessThanThreshold" }
    delivery-stale     = { description = "The oldest record in ${var.name} waited more than ${var.data_freshness_alarm_seconds}s for delivery to the lake.", namespace = "AWS/Firehose", metric_name = "DeliveryToS3.DataFreshness", dimensions = module.stream.metric_dimensions, statistic = "Maximum", threshold = var.data_freshness_alarm_seconds }
    invalid-records    = { description = "The transformer marked records ProcessingFailed (invalid events): they are under the lake's error prefix, reasons in its logs.", namespace = local.contract.metricNamespace, metric_name = local.contract.metrics.invalidRecords, dimensions = local.metric["transformer"], threshold = 0 }
    queue-refused      = { description = "The FIFO queue refused valid records: Firehose retries the batch.", namespace = local.contract.metricNamespace, metric_name = local.contract.metrics.queueRefusedRecords, dimensions = local.metric["transformer"], threshold = 0 }
    conflicting-dupes  = { description = "An event id arrived again with different content: the stored event was kept (see the storer's logs).", namespace = local.contract.metricNamespace, metric_name = local.contract.metrics.conflictingDuplicates, dimensions = local.metric["storer"], threshold = 0 }
    put-events-failed  = { description = "PutEvents failed entries (retried by the emitter).", namespace = local.contract.metricNamespace, metric_name = local.contract.metrics.putEventsFailedEntries, dimensions = local.metric["emitter"], threshold = 0 }
    unemitted-records  = { description = "Stream records the emitter could not emit after its retries: reported as batch failures, so Lambda retries and bisects them.", namespace = local.contract.metricNamespace, metric_name = local.contract.metrics.unemittedRecords, dimensions = local.metric["emitter"], threshold = 0 }
    # Custom buses report per EventBusName and RuleName. Deliveries sent to the DLQ count in neither of these.
    consumer-rule-failed   = { description = "EventBridge failed to invoke the consumer permanently, outside its DLQ.", namespace = "AWS/Events", metric_name = "FailedInvocations", dimensions = local.rule_dimensions, threshold = 0 }
    consumer-dlq-send-lost = { description = "EventBridge could not deliver events to the consumer nor put them in ${module.consumer_dlq.queue_name}: they are only in the archive (replay them).", namespace = "AWS/Events", metric_name = "InvocationsFailedToBeSentToDlq", dimensions = local.rule_dimensions, threshold = 0 }
  }
}
