# Applies the pipeline against a mocked provider and checks the wiring that keeps messages safe.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name                    = "sf-test"
  processor_artifact_path = "tests/fixture-handler.zip"
  processor_timeout       = 20
}

run "wiring" {
  command = apply

  assert {
    condition     = module.processor.event_source_mappings["queue"].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The processor must report partial batch failures, or one bad message fails its whole batch"
  }
  assert {
    condition     = module.queue.queue_arn == module.processor.event_source_mappings["queue"].event_source_arn
    error_message = "The processor must consume the queue the API writes to"
  }
  assert {
    condition     = jsondecode(module.queue.redrive_policy).maxReceiveCount == 5
    error_message = "Failed messages must move to the DLQ after max_receive_count receives"
  }
  assert {
    condition     = module.queue.visibility_timeout_seconds == 6 * 20 + 1
    error_message = "Visibility timeout must be six times the processor timeout plus the batching window"
  }
  assert {
    condition     = module.processor.permissions["EventSourceQueue"].actions == tolist(["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"])
    error_message = "The processor is fed by its event source mapping only: receive, delete, attributes (no ChangeMessageVisibility, which no code calls)"
  }
  assert {
    condition     = length(module.alarms.alarm_names) == 5 && contains(keys(module.alarms.alarm_names), "dlq-not-empty")
    error_message = "DLQ depth, oldest age, errors, throttles and API 5xx must each have an alarm"
  }
  assert {
    condition     = module.processor.event_source_mappings["queue"].enabled
    error_message = "Without a runtime the processor's mapping polls the queue, as it must in AWS"
  }
}

# The runtime object: infra/local turns the mappings off (its runtime polls) and retries quickly.
run "runtime_local_quick_retries" {
  command = apply

  variables {
    runtime = { event_source_mappings_enabled = false, quick_retries = true }
  }

  assert {
    condition     = !module.processor.event_source_mappings["queue"].enabled && module.queue.visibility_timeout_seconds == 3 + 1 + 5 && jsondecode(module.queue.redrive_policy).maxReceiveCount == 2
    error_message = "infra/local's runtime: the mapping disabled (its runtime polls), a 3 s processor (visibility 9 s) and 2 receives, so a poison message reaches the DLQ in about 20 s"
  }
}

run "runtime_quick_retries_need_the_local_poller" {
  command = plan

  variables {
    runtime = { quick_retries = true }
  }

  expect_failures = [var.runtime]
}
