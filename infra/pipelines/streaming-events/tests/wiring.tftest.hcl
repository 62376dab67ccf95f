# Applies the pipeline against a mocked provider: each function's role grants what its code calls and
# nothing more, Firehose delivers to the lake through the transformer, the FIFO queue, the table's stream
# and the bus reach the consumer with a dead-letter queue at every step, and every failure raises an alarm.
mock_provider "aws" {
  source = "../../testing/aws"

  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/se-test" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/se-test/se-test-consumer" }
  }
  mock_resource "aws_kinesis_firehose_delivery_stream" {
    defaults = { arn = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/se-test" }
  }
}

# Distinct ARNs, so a grant on the wrong function, queue or table shows.
override_resource {
  target = module.function["transformer"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:se-test-transformer" }
}
override_resource {
  target = module.function["consumer"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:se-test-consumer" }
}
override_resource {
  target = module.queue.aws_sqs_queue.this
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:se-test-events.fifo", id = "https://sqs.eu-west-1.amazonaws.com/123456789012/se-test-events.fifo", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/se-test-events.fifo" }
}
override_resource {
  target = module.emitter_failures.aws_sqs_queue.this
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:se-test-emitter-failures" }
}
override_resource {
  target = module.consumer_dlq.aws_sqs_queue.this
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:se-test-consumer-dlq" }
}
override_resource {
  target = module.events_table.aws_dynamodb_table.this
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/se-test-events", stream_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/se-test-events/stream/2026-01-01T00:00:00.000" }
}
override_resource {
  target = module.lake.aws_s3_bucket.this
  values = { arn = "arn:aws:s3:::se-test-lake-123456789012" }
}
override_resource {
  target = module.consumed_table.aws_dynamodb_table.this
  values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/se-test-consumed" }
}

variables {
  name = "se-test"
  artifact_paths = {
    transformer = "tests/fixture-handler.zip"
    storer      = "tests/fixture-handler.zip"
    emitter     = "tests/fixture-handler.zip"
    consumer    = "tests/fixture-handler.zip"
  }
}

run "least_privilege" {
  command = apply

  assert {
    condition     = module.function["transformer"].permissions["SendToQueue"].actions == tolist(["sqs:SendMessage"]) && module.function["transformer"].permissions["SendToQueue"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:se-test-events.fifo"])
    error_message = "The transformer sends to the FIFO queue only"
  }
  assert {
    condition = (
      module.function["storer"].permissions["StoreEvents"].actions == tolist(["dynamodb:PutItem"]) && module.function["storer"].permissions["StoreEvents"].resources == tolist(["arn:aws:dynamodb:eu-west-1:123456789012:table/se-test-events"]) &&
      module.function["storer"].permissions["EventSourceQueue"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:se-test-events.fifo"])
    )
    error_message = "The storer reads the FIFO queue (through its mapping) and puts into the events table only"
  }
  assert {
    condition = (
      module.function["emitter"].permissions["EmitEvents"].actions == tolist(["events:PutEvents"]) && module.function["emitter"].permissions["EmitEvents"].resources == tolist([module.events.bus_arn]) &&
      module.function["emitter"].permissions["EventSourceStream"].resources == tolist(["arn:aws:dynamodb:eu-west-1:123456789012:table/se-test-events/stream/2026-01-01T00:00:00.000"]) &&
      module.function["emitter"].permissions["OnFailureStream"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:se-test-emitter-failures"])
    )
    error_message = "The emitter reads the table's stream, puts events on its bus and sends given-up batches to its failure queue"
  }
  assert {
    condition = (
      module.function["consumer"].permissions["RecordConsumed"].actions == tolist(["dynamodb:PutItem"]) && module.function["consumer"].permissions["RecordConsumed"].resources == tolist(["arn:aws:dynamodb:eu-west-1:123456789012:table/se-test-consumed"]) &&
      module.function["consumer"].permissions["OnFailureDestination"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:se-test-consumer-dlq"])
    )
    error_message = "The consumer records into the consumed table only and sends failed invocations to its DLQ"
  }
  assert {
    condition = alltrue(flatten([for f in values(module.function) : [for p in values(f.permissions) :
    !anytrue([for a in p.actions : contains(["dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Scan", "s3:PutObject", "s3:GetObject", "sqs:DeleteQueue", "firehose:PutRecordBatch"], a)])]]))
    error_message = "No function may change or delete stored events, touch the lake or write to the delivery stream"
  }
  assert {
    condition     = module.stream.permissions["InvokeProcessor"].resources == tolist(["arn:aws:lambda:eu-west-1:123456789012:function:se-test-transformer"]) && module.stream.permissions["DeliverToBucket"].resources == tolist([module.lake.bucket_arn, "${module.lake.bucket_arn}/*"])
    error_message = "Firehose invokes the transformer and writes to the lake only"
  }
  assert {
    condition     = module.events.lambda_permissions == { "consumer/consumer" = { function_name = "arn:aws:lambda:eu-west-1:123456789012:function:se-test-consumer", principal = "events.amazonaws.com", source_arn = module.events.rule_arns["consumer"] } }
    error_message = "Only the consumer rule may invoke the consumer"
  }
  assert {
    condition = (
      module.function["transformer"].permissions["UseKey"].resources == tolist([module.kms.key_arn]) &&
      sort(local.use_key["emitter"].conditions[0].values) == tolist(["dynamodb.eu-west-1.amazonaws.com", "events.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"])
    )
    error_message = "Each function uses the key through the services it calls only"
  }
}

run "flow_and_contract" {
  command = apply

  assert {
    condition = (
      module.function["transformer"].environment["QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/se-test-events.fifo" &&
      module.function["storer"].environment["TABLE_NAME"] == module.events_table.table_name &&
      module.function["emitter"].environment["EVENT_BUS_NAME"] == module.events.bus_name &&
      module.function["consumer"].environment["CONSUMED_TABLE"] == module.consumed_table.table_name
    )
    error_message = "Each function gets the queue, table or bus of the design"
  }
  assert {
    condition = (
      output.summary.lake_prefix_root == "events/" && output.summary.error_prefix_root == "errors/" &&
      output.summary.function_names == { transformer = "se-test-transformer", storer = "se-test-storer", emitter = "se-test-emitter", consumer = "se-test-consumer" } &&
      output.summary.consumer_rule_name == "se-test-consumer" && output.summary.delivery_stream_name == "se-test"
    )
    error_message = "The summary names the prefix roots, the functions and the rule"
  }
  assert {
    condition     = module.queue.redrive_policy != null && module.queue.visibility_timeout_seconds == 180
    error_message = "The FIFO queue has a DLQ and a visibility of six storer timeouts"
  }
  assert {
    condition = (
      module.function["storer"].event_source_mappings["queue"].function_response_types == toset(["ReportBatchItemFailures"]) &&
      module.function["emitter"].event_source_mappings["stream"].function_response_types == toset(["ReportBatchItemFailures"]) &&
      module.function["emitter"].event_source_mappings["stream"].destination_on_failure == "arn:aws:sqs:eu-west-1:123456789012:se-test-emitter-failures" &&
      module.function["storer"].event_source_mappings["queue"].enabled && module.function["emitter"].event_source_mappings["stream"].enabled
    )
    error_message = "Both mappings report partial batch failures; the stream's gives up into the emitter failure queue"
  }
  assert {
    condition = module.events.targets["consumer/consumer"] == {
      arn                       = "arn:aws:lambda:eu-west-1:123456789012:function:se-test-consumer"
      dead_letter_arn           = "arn:aws:sqs:eu-west-1:123456789012:se-test-consumer-dlq"
      maximum_retry_attempts    = 185
      maximum_event_age_seconds = 86400
    } && module.events.archive_arn != null
    error_message = "The consumer rule retries for 24 h, then sends to the consumer DLQ; the bus is archived for replay"
  }
  assert {
    condition     = module.function["consumer"].on_failure_destination_arn == "arn:aws:sqs:eu-west-1:123456789012:se-test-consumer-dlq"
    error_message = "Consumer invocations that fail every Lambda retry join the same DLQ"
  }
}

run "alarms" {
  command = apply

  assert {
    condition = (
      length(module.alarms.alarm_names) == 18 &&
      module.alarms.alarm_metrics["processing-failing"].metric_name == "ExecuteProcessing.Success" && module.alarms.alarm_metrics["processing-failing"].dimensions == tomap({ DeliveryStreamName = "se-test" }) &&
      module.alarms.alarm_metrics["delivery-failing"].metric_name == "DeliveryToS3.Success" && module.alarms.alarm_metrics["delivery-stale"].threshold == 900 &&
      module.alarms.alarm_metrics["invalid-records"].namespace == "ReliableIngestion/StreamingEvents" && module.alarms.alarm_metrics["invalid-records"].dimensions == tomap({ service = "se-test-transformer" }) &&
      module.alarms.alarm_metrics["unemitted-records"].dimensions == tomap({ service = "se-test-emitter" }) &&
      module.alarms.alarm_metrics["emitter-iterator-age"].threshold == 300000 &&
      module.alarms.alarm_metrics["consumer-rule-failed"].dimensions == tomap({ EventBusName = "se-test", RuleName = "se-test-consumer" }) &&
      module.alarms.alarm_metrics["consumer-dlq-send-lost"].metric_name == "InvocationsFailedToBeSentToDlq"
    )
    error_message = "Alarms: processing and delivery failing, stale delivery, invalid and refused records, conflicting duplicates, PutEvents failures, unemitted records, rule failures and DLQ sends lost, emitter iterator age, three failure queues and four function errors"
  }
}

run "runtime_local_quick_retries" {
  command = apply

  variables {
    runtime = { event_source_mappings_enabled = false, quick_retries = true }
  }

  assert {
    condition = (
      !module.function["storer"].event_source_mappings["queue"].enabled && !module.function["emitter"].event_source_mappings["stream"].enabled &&
      module.events.targets["consumer/consumer"].maximum_retry_attempts == 2 && module.events.targets["consumer/consumer"].maximum_event_age_seconds == 60 &&
      jsondecode(module.queue.redrive_policy).maxReceiveCount == 2 && module.queue.visibility_timeout_seconds == 10
    )
    error_message = "infra/local's runtime polls the mappings itself, retries a FIFO event after 10 s and gives up within a minute"
  }
}

run "runtime_quick_retries_need_the_local_runtime" {
  command = plan

  variables {
    runtime = { quick_retries = true }
  }

  expect_failures = [var.runtime]
}

run "name_too_long_for_the_lake_bucket" {
  command = plan

  variables {
    name = "a-name-of-forty-six-characters-for-the-buckets"
  }

  expect_failures = [var.name]
}
