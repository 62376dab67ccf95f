# Plans the module against a mocked provider and checks the alarm topic's policy.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name        = "alarms-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  alarms = {
    errors = {
      description = "test"
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = "f" }
      threshold   = 0
    }
  }
}

run "tls_only_for_every_action" {
  command = plan

  assert {
    condition = (
      module.topic_policy.statements["DenyInsecureTransport"].effect == "Deny" && module.topic_policy.statements["DenyInsecureTransport"].actions == tolist(["sns:*"]) &&
      module.topic_policy.statements["DenyInsecureTransport"].conditions == ["Bool aws:SecureTransport false"]
    )
    error_message = "The topic denies every SNS action (not a list of some) to requests not sent over TLS"
  }
  assert {
    condition     = alltrue([for s in values(module.topic_policy.statements) : s.effect != "Deny" || s.actions == tolist(["sns:*"])])
    error_message = "No deny statement covers only some actions"
  }
  assert {
    condition     = module.topic_policy.statements["CloudWatchAlarmsPublish"].actions == tolist(["sns:Publish"]) && module.topic_policy.statements["CloudWatchAlarmsPublish"].principals.identifiers == tolist(["cloudwatch.amazonaws.com"])
    error_message = "CloudWatch may publish to the topic, and only publish"
  }
}

run "presets_expand_to_their_metrics" {
  command = apply

  variables {
    presets = {
      loader-errors    = { type = "function_errors", function_name = "etl-loader" }
      loader-throttles = { type = "function_throttles", function_name = "etl-loader", description = "Throttled." }
      loader-duration  = { type = "function_duration", function_name = "etl-loader", threshold = 240000 }
      stream-age       = { type = "stream_iterator_age", function_name = "notes-forwarder", threshold = 60000 }
      dlq-not-empty    = { type = "dlq_not_empty", queue_name = "etl-files-dlq" }
      backlog          = { type = "queue_depth", queue_name = "etl-files", threshold = 1000 }
      oldest-message   = { type = "queue_oldest_message_age", queue_name = "etl-files", threshold = 900 }
      api-5xx          = { type = "api_5xx", api_name = "notes-api", stage_name = "v1" }
    }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["loader-errors"].alarm_name == "alarms-test-loader-errors" && aws_cloudwatch_metric_alarm.this["errors"].alarm_name == "alarms-test-errors"
    error_message = "Presets and alarms are both named <name>-<key>"
  }
  assert {
    condition = [for k in ["loader-errors", "loader-throttles", "loader-duration", "stream-age", "dlq-not-empty", "backlog", "oldest-message", "api-5xx"] : join(" ", [
      output.alarm_metrics[k].namespace, output.alarm_metrics[k].metric_name, output.alarm_metrics[k].statistic,
      tostring(output.alarm_metrics[k].threshold), tostring(output.alarm_metrics[k].evaluation_periods), jsonencode(output.alarm_metrics[k].dimensions),
      ])] == [
      "AWS/Lambda Errors Sum 0 1 {\"FunctionName\":\"etl-loader\"}",
      "AWS/Lambda Throttles Sum 0 1 {\"FunctionName\":\"etl-loader\"}",
      "AWS/Lambda Duration Maximum 240000 1 {\"FunctionName\":\"etl-loader\"}",
      "AWS/Lambda IteratorAge Maximum 60000 1 {\"FunctionName\":\"notes-forwarder\"}",
      "AWS/SQS ApproximateNumberOfMessagesVisible Maximum 0 1 {\"QueueName\":\"etl-files-dlq\"}",
      "AWS/SQS ApproximateNumberOfMessagesVisible Maximum 1000 1 {\"QueueName\":\"etl-files\"}",
      "AWS/SQS ApproximateAgeOfOldestMessage Maximum 900 3 {\"QueueName\":\"etl-files\"}",
      "AWS/ApiGateway 5XXError Sum 0 1 {\"ApiName\":\"notes-api\",\"Stage\":\"v1\"}",
    ]
    error_message = "Each preset watches its metric, with its statistic, threshold, periods and dimensions"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.comparison_operator == "GreaterThanThreshold" && a.treat_missing_data == "notBreaching" && a.period == 60 && a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && a.ok_actions == toset([aws_sns_topic.alarms.arn])])
    error_message = "Every preset alarms above its threshold over a minute and notifies the topic on ALARM and OK"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["loader-errors"].alarm_description == "etl-loader failed whole invocations." && aws_cloudwatch_metric_alarm.this["loader-throttles"].alarm_description == "Throttled."
    error_message = "A preset describes what the resource did unless given a description"
  }
}

run "preset_needs_its_resource" {
  command = plan

  variables {
    presets = {
      loader-errors = { type = "function_errors", queue_name = "etl-files" }
      no-threshold  = { type = "queue_depth", queue_name = "etl-files" }
    }
  }

  expect_failures = [var.presets]
}

run "preset_and_alarm_keys_differ" {
  command = plan

  variables {
    presets = {
      errors = { type = "function_errors", function_name = "f" }
    }
  }

  expect_failures = [var.presets]
}
