# Applies the pipeline against a mocked provider and checks that each function's role grants what its
# code (or its event source mapping) calls, and nothing else that was found unused.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name                     = "notes-test"
  api_artifact_path        = "tests/fixture-handler.zip"
  forwarder_artifact_path  = "tests/fixture-handler.zip"
  word_count_artifact_path = "tests/fixture-handler.zip"
}

run "least_privilege" {
  command = apply

  assert {
    condition     = module.word_count.permissions["EventSourceQueue"].actions == tolist(["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"])
    error_message = "The word count is fed by its event source mapping only: receive, delete, attributes (no ChangeMessageVisibility, which no code calls)"
  }
  assert {
    condition     = module.forwarder.permissions["EventSourceStream"].actions == tolist(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])
    error_message = "The forwarder reads its one stream; ListStreams (never called, and not scoped by a stream ARN) is not granted"
  }
  assert {
    condition     = alltrue(flatten([for m in [module.api_function.permissions, module.forwarder.permissions, module.word_count.permissions] : [for sid, p in m : !contains(p.actions, "sqs:ChangeMessageVisibility") && !contains(p.actions, "dynamodb:ListStreams")]]))
    error_message = "No notes function may change message visibility or list streams"
  }
  assert {
    condition     = module.forwarder.event_source_mappings["stream"].destination_on_failure == module.stream_failures.queue_arn && module.forwarder.permissions["OnFailureStream"].actions == tolist(["sqs:SendMessage"])
    error_message = "Stream records the forwarder gives up on go to the stream-failures queue, which its role may send to"
  }
  assert {
    condition     = length(module.alarms.alarm_names) == 7 && module.alarms.alarm_metrics["stream-iterator-age"].metric_name == "IteratorAge" && module.alarms.alarm_metrics["stream-iterator-age"].threshold == var.iterator_age_alarm_seconds * 1000
    error_message = "Stream age (in milliseconds), stream failures, DLQ, three function errors and API 5xx each have an alarm"
  }
  assert {
    condition     = module.forwarder.event_source_mappings["stream"].enabled && module.word_count.event_source_mappings["queue"].enabled
    error_message = "Without a runtime the stream and count-queue mappings poll, as it must in AWS"
  }
}

# The runtime object: infra/local turns the mappings off (its runtime polls) and retries quickly.
run "runtime_local_quick_retries" {
  command = apply

  variables {
    runtime = { event_source_mappings_enabled = false, quick_retries = true }
  }

  assert {
    condition     = !module.forwarder.event_source_mappings["stream"].enabled && !module.word_count.event_source_mappings["queue"].enabled && module.queue.visibility_timeout_seconds == 3 + 5 && jsondecode(module.queue.redrive_policy).maxReceiveCount == 2
    error_message = "infra/local's runtime: both mappings disabled (its runtime polls), a 3 s word count (visibility 8 s) and 2 receives"
  }
}

run "runtime_quick_retries_need_the_local_poller" {
  command = plan

  variables {
    runtime = { quick_retries = true }
  }

  expect_failures = [var.runtime]
}
