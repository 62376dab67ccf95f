# Applies the pipeline against a mocked provider: each function's role grants what its code calls and
# nothing more, the state machine's role what its definition calls, the aggregate reaches the subscriber
# queue with a dead-letter queue, and every failure the pipeline can have raises an alarm.
mock_provider "aws" {
  source = "../../testing/aws"

  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/rm-test" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:rm-test-workflow" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rm-test/redis-auth-token-AbCdEf" }
  }
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
}

# GetRandomPassword's answer (ElastiCache needs an AUTH token of 16 characters or more).
override_data {
  target = module.cache.data.aws_secretsmanager_random_password.auth_token
  values = { random_password = "MockToken0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789ab" }
}

# Distinct ARNs, so a grant on the wrong function or bucket shows.
override_resource {
  target = module.function["archive"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:rm-test-archive" }
}
override_resource {
  target = module.function["cleanup"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:rm-test-cleanup" }
}
override_resource {
  target = module.function["salvage"].aws_lambda_function.this
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:rm-test-salvage" }
}

variables {
  name = "rm-test"
  artifact_paths = {
    ingest  = "tests/fixture-handler.zip"
    archive = "tests/fixture-handler.zip"
    cleanup = "tests/fixture-handler.zip"
    salvage = "tests/fixture-handler.zip"
  }
}

run "least_privilege" {
  command = apply

  assert {
    condition = (
      module.function["ingest"].permissions["StartWorkflow"].actions == tolist(["states:StartExecution"]) && module.function["ingest"].permissions["StartWorkflow"].resources == tolist([module.workflow.state_machine_arn]) &&
      module.function["ingest"].permissions["SalvageRequests"].resources == tolist(["${module.bucket["salvage"].bucket_arn}/ingest/*"])
    )
    error_message = "ingest starts the one state machine and writes salvaged requests under ingest/ only"
  }
  assert {
    condition     = module.function["archive"].permissions["ArchiveMessages"].actions == tolist(["s3:PutObject"]) && module.function["archive"].permissions["ArchiveMessages"].resources == tolist(["${module.bucket["archive"].bucket_arn}/messages/*"])
    error_message = "archive puts objects under the archive prefix only"
  }
  assert {
    condition     = [for sid in keys(module.function["cleanup"].permissions) : sid if !startswith(sid, "Vpc")] == ["DecryptEnvironment", "ReadRedisAuthToken", "WriteOwnLogs"]
    error_message = "cleanup talks to Redis only: its logs, its key and the AUTH token (besides its network interfaces)"
  }
  assert {
    condition = (
      module.function["salvage"].permissions["RecordFailures"].actions == tolist(["dynamodb:PutItem", "dynamodb:UpdateItem"]) &&
      module.function["salvage"].permissions["SalvageMessages"].resources == tolist(["${module.bucket["salvage"].bucket_arn}/workflow/*"])
    )
    error_message = "salvage records failures in the table and writes under workflow/ only"
  }
  assert {
    condition = alltrue([for f in values(module.function) :
    f.permissions["ReadRedisAuthToken"].resources == tolist([module.cache.auth_token_secret_arn]) && f.permissions["ReadRedisAuthToken"].actions == tolist(["secretsmanager:GetSecretValue"])])
    error_message = "Every function reads the Redis AUTH token, and only that secret"
  }
  assert {
    condition = alltrue(flatten([for f in values(module.function) : [for p in values(f.permissions) :
    !anytrue([for a in p.actions : contains(["s3:GetObject", "s3:DeleteObject", "dynamodb:DeleteItem", "states:StopExecution", "secretsmanager:PutSecretValue"], a)])]]))
    error_message = "No function may read or delete archived objects, delete metadata, stop executions or change the secret"
  }
  assert {
    condition = (
      module.workflow.permissions["InvokeTasks"].resources == tolist(["arn:aws:lambda:eu-west-1:123456789012:function:rm-test-archive", "arn:aws:lambda:eu-west-1:123456789012:function:rm-test-cleanup", "arn:aws:lambda:eu-west-1:123456789012:function:rm-test-salvage"]) &&
      module.workflow.permissions["RecordMetadata"].actions == tolist(["dynamodb:PutItem"]) &&
      module.workflow.permissions["PublishAggregate"].resources == tolist([module.events.bus_arn])
    )
    error_message = "The state machine invokes the three task functions (not ingest), puts metadata and publishes to its bus"
  }
}

run "environment_and_placement" {
  command = apply

  assert {
    condition = alltrue([for f in values(module.function) :
      f.environment["REDIS_TLS"] == "true" && f.environment["REDIS_HOST"] == module.cache.redis_host && f.environment["REDIS_AUTH_SECRET_ARN"] == module.cache.auth_token_secret_arn
    ])
    error_message = "Every function reaches Redis over TLS with the AUTH token from Secrets Manager (never in the environment)"
  }
  assert {
    condition = (
      module.function["ingest"].environment["STATE_MACHINE_ARN"] == module.workflow.state_machine_arn && module.function["ingest"].environment["SALVAGE_BUCKET"] == module.bucket["salvage"].bucket_name &&
      module.function["archive"].environment["ARCHIVE_BUCKET"] == module.bucket["archive"].bucket_name &&
      module.function["salvage"].environment["SALVAGE_BUCKET"] == module.bucket["salvage"].bucket_name && module.function["salvage"].environment["METADATA_TABLE"] == module.table.table_name
    )
    error_message = "Each function gets the state machine, buckets and table of the design"
  }
  assert {
    condition     = alltrue([for f in values(module.function) : contains(keys(f.permissions), "VpcCreateNetworkInterface")])
    error_message = "Every function runs in the VPC next to Redis"
  }
  assert {
    condition     = length(module.cache.private_subnet_ids) == 2
    error_message = "Without availability_zones the region's first two zones are used"
  }
  assert {
    condition     = module.api.routes == tolist(["POST /messages"])
    error_message = "The API serves POST /messages only"
  }
}

run "aggregate_delivery_and_alarms" {
  command = apply

  assert {
    condition = output.summary.subscriber_queue_url == module.subscriber.queue_url && module.events.targets["subscriber/queue"] == {
      arn                       = module.subscriber.queue_arn
      dead_letter_arn           = module.delivery_failures.queue_arn
      maximum_retry_attempts    = 185
      maximum_event_age_seconds = 86400
    }
    error_message = "Aggregates go to the subscriber queue, retried for 24 h, then to the delivery-failures queue"
  }
  assert {
    condition     = module.events.archive_arn != null
    error_message = "The bus is archived, so aggregates can be replayed to subscribers"
  }
  assert {
    condition = (
      length(module.alarms.alarm_names) == 17 &&
      module.alarms.alarm_metrics["executions-failed"].dimensions == tomap({ StateMachineArn = module.workflow.state_machine_arn }) &&
      alltrue([for f in ["ingest", "salvage"] : module.alarms.alarm_metrics["messages-salvaged-${f}"].metric_name == "MessagesSalvaged" && module.alarms.alarm_metrics["messages-salvaged-${f}"].namespace == "ReliableIngestion/ReliableMessaging" && module.alarms.alarm_metrics["messages-salvaged-${f}"].dimensions == tomap({ service = module.function[f].function_name })]) &&
      module.alarms.alarm_metrics["messages-refused"].dimensions == tomap({ service = module.function["ingest"].function_name }) &&
      module.alarms.alarm_metrics["redis-memory-002"].dimensions == tomap({ CacheClusterId = "${module.cache.replication_group_id}-002" }) &&
      module.alarms.alarm_metrics["redis-evictions-001"].threshold == 0
    )
    error_message = "Alarms: failed, timed-out and throttled executions, messages salvaged by ingest and by the workflow, requests refused, memory and evictions of each Redis node, four function errors, two queues and API 5xx"
  }
}

run "runtime_local_quick_retries" {
  command = apply

  variables {
    runtime = { event_source_mappings_enabled = false, quick_retries = true }
  }

  assert {
    condition     = module.events.targets["subscriber/queue"].maximum_retry_attempts == 2 && module.events.targets["subscriber/queue"].maximum_event_age_seconds == 60
    error_message = "infra/local's runtime gives up on a refused delivery within a minute"
  }
}

run "runtime_quick_retries_need_the_local_runtime" {
  command = plan

  variables {
    runtime = { quick_retries = true }
  }

  expect_failures = [var.runtime]
}
