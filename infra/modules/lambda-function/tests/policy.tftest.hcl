# Plans the module against a mocked provider: the wildcard guard of policy_statements, and the
# on-failure destination of asynchronous invocations.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  function_name = "guard-test"
  artifact_path = "tests/fixture-handler.zip"
  kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "service_wildcard_action_without_reason_refused" {
  command = plan

  variables {
    policy_statements = [
      { sid = "Queue", actions = ["sqs:*"], resources = ["arn:aws:sqs:eu-west-1:123456789012:orders"] },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "wildcard_resource_without_reason_refused" {
  command = plan

  variables {
    policy_statements = [
      { sid = "Queues", actions = ["sqs:SendMessage"], resources = ["arn:aws:sqs:eu-west-1:123456789012:*"] },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "bare_star_as_reason_refused" {
  command = plan

  variables {
    policy_statements = [
      { sid = "Queue", actions = ["sqs:*"], resources = ["arn:aws:sqs:eu-west-1:123456789012:orders"], reason = "*" },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "bare_star_refused_even_with_reason" {
  command = plan

  variables {
    policy_statements = [
      { sid = "Everything", actions = ["sqs:SendMessage"], resources = ["*"], reason = "a reason cannot make every resource least privilege" },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "wildcards_with_reason_accepted" {
  command = plan

  variables {
    policy_statements = [
      { sid = "Queue", actions = ["sqs:*"], resources = ["arn:aws:sqs:eu-west-1:123456789012:orders"], reason = "test: the whole queue API on one queue" },
      { sid = "Queues", actions = ["sqs:SendMessage"], resources = ["arn:aws:sqs:eu-west-1:123456789012:*"], reason = "test: any queue of the account" },
      {
        sid        = "ListIncoming"
        actions    = ["s3:ListBucketVersions"]
        resources  = ["arn:aws:s3:::bucket"]
        conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["incoming/*"] }]
      },
    ]
  }

  assert {
    condition     = keys(output.permissions) == ["DecryptEnvironment", "ListIncoming", "Queue", "Queues", "WriteOwnLogs"]
    error_message = "Statements with a reason are granted as given"
  }
  assert {
    condition     = module.policy.statements["ListIncoming"].conditions == ["StringLike s3:prefix incoming/*"]
    error_message = "A statement's conditions are part of the grant"
  }
  assert {
    condition     = length(aws_lambda_function_event_invoke_config.this) == 0
    error_message = "Without a destination no event invoke config is made"
  }
}

run "on_failure_destination" {
  command = plan

  variables {
    async_on_failure = { destination_arn = "arn:aws:sqs:eu-west-1:123456789012:guard-test-failures" }
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-1:123456789012:guard-test-failures"
    error_message = "Failed asynchronous invocations go to the destination"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 2 && aws_lambda_function_event_invoke_config.this[0].maximum_event_age_in_seconds == 3600
    error_message = "Two retries and an hour of age by default"
  }
  assert {
    condition     = output.permissions["OnFailureDestination"].actions == tolist(["sqs:SendMessage"]) && output.permissions["OnFailureDestination"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:guard-test-failures"])
    error_message = "The role may send to the destination, and only there"
  }
}

run "on_failure_destination_must_be_a_queue_or_topic" {
  command = plan

  variables {
    async_on_failure = { destination_arn = "arn:aws:s3:::a-bucket" }
  }

  expect_failures = [var.async_on_failure]
}

run "event_source_mappings_grant_what_they_call" {
  command = apply

  variables {
    event_source_mapping = {
      queue = { event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:orders", batch_size = 10, maximum_concurrency = 5 }
      note-stream = {
        event_source_arn       = "arn:aws:dynamodb:eu-west-1:123456789012:table/notes/stream/2024-01-01T00:00:00.000"
        starting_position      = "TRIM_HORIZON"
        destination_on_failure = "arn:aws:sqs:eu-west-1:123456789012:notes-stream-failures"
        filter_patterns        = ["{\"eventName\":[\"INSERT\"]}"]
        enabled                = false
      }
    }
  }

  assert {
    condition     = output.permissions["EventSourceQueue"].actions == tolist(["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]) && output.permissions["EventSourceQueue"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:orders"])
    error_message = "An SQS mapping lets the role receive, delete and read attributes of its queue, and nothing else"
  }
  assert {
    condition     = output.permissions["EventSourceNoteStream"].actions == tolist(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]) && output.permissions["EventSourceNoteStream"].resources == tolist(["arn:aws:dynamodb:eu-west-1:123456789012:table/notes/stream/2024-01-01T00:00:00.000"])
    error_message = "A stream mapping lets the role read its one stream (no ListStreams)"
  }
  assert {
    condition     = output.permissions["OnFailureNoteStream"].actions == tolist(["sqs:SendMessage"]) && output.permissions["OnFailureNoteStream"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:notes-stream-failures"]) && !contains(keys(output.permissions), "OnFailureQueue")
    error_message = "Only a mapping with an on-failure destination may send there"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this["queue"].function_response_types == toset(["ReportBatchItemFailures"]) && aws_lambda_event_source_mapping.this["queue"].scaling_config[0].maximum_concurrency == 5 && aws_lambda_event_source_mapping.this["queue"].enabled
    error_message = "A mapping reports partial batch failures, keeps its concurrency bound and polls by default"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this["note-stream"].destination_config[0].on_failure[0].destination_arn == "arn:aws:sqs:eu-west-1:123456789012:notes-stream-failures" && [for f in aws_lambda_event_source_mapping.this["note-stream"].filter_criteria[0].filter : f.pattern] == ["{\"eventName\":[\"INSERT\"]}"] && !aws_lambda_event_source_mapping.this["note-stream"].enabled
    error_message = "A stream mapping keeps its destination, its filter and its enabled flag"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.this["queue"].destination_config) == 0 && length(aws_lambda_event_source_mapping.this["queue"].filter_criteria) == 0
    error_message = "A queue mapping without filter or destination gets none"
  }
}

run "stream_mapping_needs_a_starting_position" {
  command = plan

  variables {
    event_source_mapping = {
      stream = { event_source_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/notes/stream/2024-01-01T00:00:00.000" }
    }
  }

  expect_failures = [var.event_source_mapping]
}

run "mapping_source_must_be_a_queue_or_stream" {
  command = plan

  variables {
    event_source_mapping = {
      bucket = { event_source_arn = "arn:aws:s3:::a-bucket" }
    }
  }

  expect_failures = [var.event_source_mapping]
}

run "powertools_environment" {
  command = plan

  variables {
    log_level   = "DEBUG"
    environment = { TABLE_NAME = "notes" }
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables == tomap({ POWERTOOLS_SERVICE_NAME = "guard-test", POWERTOOLS_LOG_LEVEL = "DEBUG", TABLE_NAME = "notes" })
    error_message = "The function logs under its own name at log_level, beside the caller's variables"
  }
}
