# Schedules: rules on the default bus with a schedule expression, targets shaped like the bus rules'
# (DLQ, retry policy, Lambda permission, constant input), with or without the custom bus.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name            = "jobs"
  dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:jobs-failures"
  create_bus      = false
  archive         = null
  schedules = {
    sweep = {
      description         = "Sweeps."
      schedule_expression = "rate(15 minutes)"
      targets = {
        sweeper = {
          arn                       = "arn:aws:lambda:eu-west-1:123456789012:function:sweeper"
          lambda_permission         = true
          maximum_retry_attempts    = 2
          maximum_event_age_seconds = 3600
          input                     = "{\"dryRun\":false}"
        }
      }
    }
    nightly = {
      schedule_expression = "cron(0 3 * * ? *)"
      targets = {
        queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:nightly", dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:nightly-failures" }
      }
    }
  }
}

run "schedules_only_on_the_default_bus" {
  command = apply

  assert {
    condition     = length(aws_cloudwatch_event_bus.this) == 0 && length(aws_cloudwatch_event_archive.this) == 0 && output.bus_name == null && output.bus_arn == null
    error_message = "create_bus = false creates no bus and no archive"
  }
  assert {
    condition = (aws_cloudwatch_event_rule.this["sweep"].name == "jobs-sweep" && aws_cloudwatch_event_rule.this["sweep"].event_bus_name == "default" &&
      aws_cloudwatch_event_rule.this["sweep"].schedule_expression == "rate(15 minutes)" && aws_cloudwatch_event_rule.this["sweep"].event_pattern == null &&
    aws_cloudwatch_event_rule.this["sweep"].state == "ENABLED" && aws_cloudwatch_event_rule.this["nightly"].schedule_expression == "cron(0 3 * * ? *)")
    error_message = "Each schedule is a rule <name>-<key> on the default bus with its expression"
  }
  assert {
    condition = output.targets["sweep/sweeper"] == {
      arn                       = "arn:aws:lambda:eu-west-1:123456789012:function:sweeper"
      dead_letter_arn           = "arn:aws:sqs:eu-west-1:123456789012:jobs-failures"
      maximum_retry_attempts    = 2
      maximum_event_age_seconds = 3600
    }
    error_message = "A schedule target without its own DLQ gets the module's, and keeps its retry policy"
  }
  assert {
    condition     = output.targets["nightly/queue"].dead_letter_arn == "arn:aws:sqs:eu-west-1:123456789012:nightly-failures" && output.targets["nightly/queue"].maximum_retry_attempts == 185
    error_message = "A target's own DLQ wins over the module's; retries default to EventBridge's most"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["sweep/sweeper"].event_bus_name == "default" && aws_cloudwatch_event_target.this["sweep/sweeper"].target_id == "sweeper" && aws_cloudwatch_event_target.this["sweep/sweeper"].input == "{\"dryRun\":false}"
    error_message = "The target sits on the schedule's rule on the default bus, with its key as id and its constant input"
  }
  assert {
    condition = output.lambda_permissions == {
      "sweep/sweeper" = {
        function_name = "arn:aws:lambda:eu-west-1:123456789012:function:sweeper"
        principal     = "events.amazonaws.com"
        source_arn    = aws_cloudwatch_event_rule.this["sweep"].arn
      }
    }
    error_message = "Only the Lambda target gets a permission, for its schedule's rule"
  }
  assert {
    condition     = output.rule_metric_dimensions["sweep"] == tomap({ RuleName = "jobs-sweep" }) && output.rule_names["sweep"] == "jobs-sweep" && output.rule_names["nightly"] == "jobs-nightly"
    error_message = "Default-bus rules report their metrics by RuleName alone"
  }
}

run "schedules_beside_bus_rules" {
  command = apply

  variables {
    create_bus = true
    archive    = {}
    rules = {
      subscriber = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets       = { queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber" } }
      }
    }
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this["subscriber"].event_bus_name == "jobs" && aws_cloudwatch_event_rule.this["sweep"].event_bus_name == "default" && length(aws_cloudwatch_event_archive.this) == 1
    error_message = "Pattern rules go on the custom bus, schedules on the default bus"
  }
  assert {
    condition     = output.rule_metric_dimensions["subscriber"] == tomap({ EventBusName = "jobs", RuleName = "jobs-subscriber" }) && output.rule_metric_dimensions["sweep"] == tomap({ RuleName = "jobs-sweep" })
    error_message = "Custom-bus rules report by EventBusName and RuleName, schedules by RuleName"
  }
  assert {
    condition     = output.targets["subscriber/queue"].dead_letter_arn == "arn:aws:sqs:eu-west-1:123456789012:jobs-failures"
    error_message = "A bus rule's target without its own DLQ gets the module's too"
  }
}

run "target_without_any_dlq_refused" {
  command = plan

  variables {
    dead_letter_arn = null
  }

  expect_failures = [aws_cloudwatch_event_target.this["sweep/sweeper"]]
}

run "plural_unit_for_one_refused" {
  command = plan

  variables {
    schedules = { plural = { schedule_expression = "rate(1 minutes)", targets = { q = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } } }
  }

  expect_failures = [var.schedules]
}

run "five_field_cron_refused" {
  command = plan

  variables {
    schedules = { five = { schedule_expression = "cron(0 3 * * ?)", targets = { q = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } } }
  }

  expect_failures = [var.schedules]
}

run "other_expressions_accepted" {
  command = plan

  variables {
    schedules = {
      minute   = { schedule_expression = "rate(1 minute)", targets = { q = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } }
      hours    = { schedule_expression = "rate(12 hours)", targets = { q = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } }
      weekdays = { schedule_expression = "cron(0/5 8-17 ? * MON-FRI *)", targets = { q = { arn = "arn:aws:sqs:eu-west-1:123456789012:q" } } }
    }
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this["weekdays"].schedule_expression == "cron(0/5 8-17 ? * MON-FRI *)" && length(aws_cloudwatch_event_rule.this) == 3
    error_message = "rate() with a singular or plural unit and six-field cron() are accepted"
  }
}

run "schedule_without_target_refused" {
  command = plan

  variables {
    schedules = { idle = { schedule_expression = "rate(1 hour)", targets = {} } }
  }

  expect_failures = [var.schedules]
}

run "two_inputs_refused" {
  command = plan

  variables {
    schedules = {
      sweep = { schedule_expression = "rate(1 day)", targets = { q = { arn = "arn:aws:sqs:eu-west-1:123456789012:q", input = "{}", input_path = "$.detail" } } }
    }
  }

  expect_failures = [var.schedules]
}

run "pattern_rule_without_the_bus_refused" {
  command = plan

  variables {
    rules = {
      subscriber = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets       = { queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber" } }
      }
    }
  }

  expect_failures = [aws_cloudwatch_event_rule.this["subscriber"]]
}

run "archive_without_the_bus_refused" {
  command = plan

  variables {
    archive = {}
  }

  expect_failures = [aws_cloudwatch_event_archive.this]
}

run "rule_and_schedule_keys_must_differ" {
  command = plan

  variables {
    create_bus = true
    archive    = null
    rules = {
      sweep = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets       = { queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber" } }
      }
    }
  }

  expect_failures = [aws_cloudwatch_event_rule.this["sweep"]]
}
