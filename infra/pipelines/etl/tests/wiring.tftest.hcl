# Applies the pipeline against a mocked provider and checks what keeps every uploaded version safe:
# the lifecycle never expires incoming/, each function may do exactly what its code does, the sweeper's
# failed runs and the schedule's undeliverable events land in a queue, and the alarms watch them.
mock_provider "aws" {
  source = "../../testing/aws"
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::etl-test-123456789012-eu-west-1" }
  }
}

override_resource {
  target = module.sweeper_failures.aws_sqs_queue.this
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:etl-test-sweeper-failures", name = "etl-test-sweeper-failures" }
}

override_resource {
  target = module.queue.aws_sqs_queue.this
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:etl-test-files", name = "etl-test-files" }
}

variables {
  name                  = "etl-test"
  loader_artifact_path  = "tests/fixture-handler.zip"
  sweeper_artifact_path = "tests/fixture-handler.zip"
}

run "wiring" {
  command = apply

  # A rule that expires anything (noncurrent or current versions) must name a prefix that neither
  # contains incoming/ nor lies inside it.
  assert {
    condition = alltrue([
      for r in module.bucket.lifecycle_rules :
      r.prefix != "" && !startswith("incoming/", r.prefix) && !startswith(r.prefix, "incoming/")
      if r.noncurrent_expiration_days != null || r.expires_current_versions
    ])
    error_message = "No lifecycle rule may expire anything under incoming/: it holds versions no load has finished"
  }
  assert {
    condition     = toset([for r in module.bucket.lifecycle_rules : r.prefix if r.noncurrent_expiration_days != null]) == toset(["processed/", "superseded/", "quarantine/", "reports/"])
    error_message = "Noncurrent versions of the loader's outputs still expire"
  }
  assert {
    condition     = anytrue([for r in module.bucket.lifecycle_rules : r.prefix == "" && r.aborts_incomplete_multipart])
    error_message = "Incomplete multipart uploads are aborted in the whole bucket"
  }

  assert {
    condition     = module.loader.permissions["LoadAndRemoveIncoming"].actions == tolist(["s3:DeleteObjectVersion", "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"]) && module.loader.permissions["LoadAndRemoveIncoming"].resources == tolist(["arn:aws:s3:::etl-test-123456789012-eu-west-1/incoming/*"])
    error_message = "The loader reads and removes versions under incoming/ only, and only by version id (no s3:DeleteObject: a delete marker would hide newer versions)"
  }
  assert {
    condition     = alltrue([for sid, p in module.loader.permissions : !contains(p.actions, "s3:DeleteObject") && !contains(p.actions, "sqs:ChangeMessageVisibility")])
    error_message = "The loader has no s3:DeleteObject and no sqs:ChangeMessageVisibility (no code calls them)"
  }
  assert {
    condition     = module.loader.permissions["ListVersionsOfIncoming"].actions == tolist(["s3:ListBucketVersions"]) && module.loader.permissions["ListVersionsOfIncoming"].resources == tolist(["arn:aws:s3:::etl-test-123456789012-eu-west-1"])
    error_message = "The loader lists the versions of the key it loads"
  }
  assert {
    condition     = module.loader.permissions["WriteResults"].resources == tolist([for p in ["processed", "quarantine", "reports", "superseded"] : "arn:aws:s3:::etl-test-123456789012-eu-west-1/${p}/*"])
    error_message = "The loader writes only its output prefixes, superseded/ included"
  }
  assert {
    condition     = module.loader.permissions["Ledger"].actions == tolist(["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"])
    error_message = "The loader reads and writes the ledger"
  }
  assert {
    condition     = module.loader.permissions["EventSourceQueue"].actions == tolist(["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]) && module.loader.permissions["Continue"].actions == tolist(["sqs:SendMessage"]) && module.loader.permissions["Continue"].resources == module.loader.permissions["EventSourceQueue"].resources
    error_message = "The loader's queue permissions are the mapping's and SendMessage to the same queue (continuations, delayed re-queues)"
  }

  assert {
    condition     = module.sweeper.permissions["ListVersionsOfIncoming"].actions == tolist(["s3:ListBucketVersions"]) && alltrue([for sid, p in module.sweeper.permissions : !contains(p.actions, "s3:ListBucket")])
    error_message = "The sweeper lists versions (ListBucketVersions), not the latest objects (ListBucket)"
  }
  assert {
    condition     = module.sweeper.permissions["ReadLedger"].actions == tolist(["dynamodb:BatchGetItem", "dynamodb:GetItem"])
    error_message = "The sweeper reads the ledger in batches"
  }
  assert {
    condition     = module.sweeper.on_failure_destination_arn == "arn:aws:sqs:eu-west-1:123456789012:etl-test-sweeper-failures" && module.sweeper.permissions["OnFailureDestination"].resources == tolist(["arn:aws:sqs:eu-west-1:123456789012:etl-test-sweeper-failures"])
    error_message = "Failed sweeper runs go to the sweeper-failures queue, which the role may send to"
  }
  assert {
    condition     = module.sweeper_failures.dlq_arn == null && module.sweeper_failures.message_retention_seconds == 1209600 && module.queue.message_retention_seconds == 345600
    error_message = "The sweeper-failures queue is a last stop read by people: no DLQ, kept 14 days (the file queue, with its DLQ, 4)"
  }

  assert {
    condition = (module.schedule.rule_names["sweep"] == "etl-test-sweep" && module.schedule.bus_name == null &&
      module.schedule.targets["sweep/sweeper"] == {
        arn                       = module.sweeper.function_arn
        dead_letter_arn           = "arn:aws:sqs:eu-west-1:123456789012:etl-test-sweeper-failures"
        maximum_retry_attempts    = 2
        maximum_event_age_seconds = 3600
    })
    error_message = "The sweep schedule keeps its rule name and retry policy (no bus of its own), and a scheduled event EventBridge cannot deliver lands in sweeper-failures"
  }
  assert {
    condition     = module.schedule.lambda_permissions["sweep/sweeper"].principal == "events.amazonaws.com" && module.schedule.lambda_permissions["sweep/sweeper"].source_arn == module.schedule.rule_arns["sweep"]
    error_message = "Only the sweep rule may invoke the sweeper"
  }
  assert {
    condition = (module.alarms.alarm_metrics["sweep-failed"].metric_name == "FailedInvocations" && module.alarms.alarm_metrics["sweep-dead-letter-lost"].metric_name == "InvocationsFailedToBeSentToDlq" &&
    alltrue([for k in ["sweep-failed", "sweep-dead-letter-lost"] : module.alarms.alarm_metrics[k].namespace == "AWS/Events" && module.alarms.alarm_metrics[k].dimensions == tomap({ RuleName = "etl-test-sweep" })]))
    error_message = "Alarms watch the schedule's failed deliveries, by RuleName alone as the default bus reports them"
  }

  assert {
    condition     = module.loader.environment.MAX_FILE_ATTEMPTS == "3" && module.loader.environment.BUSY_RETRY_DELAY_SECONDS == "60"
    error_message = "The loader gets MAX_FILE_ATTEMPTS and BUSY_RETRY_DELAY_SECONDS"
  }

  assert {
    condition     = [for k in ["namespace", "metric_name", "statistic", "period", "threshold"] : tostring(module.alarms.alarm_metrics["files-failed"][k])] == ["ReliableIngestion/ETL", "FilesFailed", "Sum", "300", "0"] && module.alarms.alarm_metrics["files-failed"].dimensions["service"] == "etl-test-loader"
    error_message = "An alarm fires when a file reaches its terminal failed state (FilesFailed Sum > 0 over 5 minutes)"
  }
  assert {
    condition     = module.alarms.alarm_metrics["sweeper-failures-not-empty"].metric_name == "ApproximateNumberOfMessagesVisible" && module.alarms.alarm_metrics["sweeper-failures-not-empty"].dimensions["QueueName"] == "etl-test-sweeper-failures"
    error_message = "An alarm watches the sweeper-failures queue"
  }
  assert {
    condition     = module.alarms.alarm_metrics["dlq-not-empty"].metric_name == "ApproximateNumberOfMessagesVisible"
    error_message = "The DLQ alarm stays"
  }
  assert {
    condition     = module.loader.event_source_mappings["queue"].enabled
    error_message = "Without a runtime the loader's mapping polls the file queue, as it must in AWS"
  }
}

run "loader_settings_validated" {
  command = plan

  variables {
    max_file_attempts        = 0
    busy_retry_delay_seconds = 901
  }

  expect_failures = [var.max_file_attempts, var.busy_retry_delay_seconds]
}

# The runtime object: infra/local turns the mappings off (its runtime polls) and retries quickly.
run "runtime_local_quick_retries" {
  command = apply

  variables {
    runtime = { event_source_mappings_enabled = false, quick_retries = true }
  }

  assert {
    condition     = !module.loader.event_source_mappings["queue"].enabled && module.queue.visibility_timeout_seconds == 6 * 60
    error_message = "infra/local's runtime: the mapping disabled (its runtime polls) and a 60 s loader (visibility 360 s)"
  }
}

run "runtime_quick_retries_need_the_local_poller" {
  command = plan

  variables {
    runtime = { quick_retries = true }
  }

  expect_failures = [var.runtime]
}
