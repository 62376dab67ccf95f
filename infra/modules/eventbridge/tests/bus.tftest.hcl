# Applies the module against a mocked provider: a KMS bus, a rule with an SQS target that has a DLQ and a
# retry policy, and an archive.
mock_provider "aws" {
  source = "../../testing/aws"

  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/events-test" }
  }
}

variables {
  name        = "events-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  rules = {
    subscriber = {
      event_pattern = "{\"source\":[\"orders\"]}"
      targets = {
        queue = {
          arn             = "arn:aws:sqs:eu-west-1:123456789012:subscriber"
          dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber-delivery-failures"
        }
      }
    }
  }
}

run "bus_rule_target_archive" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_bus.this[0].kms_key_identifier == var.kms_key_arn && aws_cloudwatch_event_rule.this["subscriber"].event_bus_name == "events-test" && aws_cloudwatch_event_rule.this["subscriber"].name == "events-test-subscriber"
    error_message = "A KMS-encrypted bus holding the rule <name>-<key>"
  }
  assert {
    condition = output.targets["subscriber/queue"] == {
      arn                       = "arn:aws:sqs:eu-west-1:123456789012:subscriber"
      dead_letter_arn           = "arn:aws:sqs:eu-west-1:123456789012:subscriber-delivery-failures"
      maximum_retry_attempts    = 185
      maximum_event_age_seconds = 86400
    }
    error_message = "The target retries as long as EventBridge allows, then goes to its DLQ"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["subscriber/queue"].event_bus_name == "events-test" && aws_cloudwatch_event_target.this["subscriber/queue"].target_id == "queue"
    error_message = "The target sits on the bus's rule, with its key as id"
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this[0].event_source_arn == aws_cloudwatch_event_bus.this[0].arn && aws_cloudwatch_event_archive.this[0].retention_days == 30
    error_message = "The bus is archived (30 days by default)"
  }
}

run "no_archive" {
  command = plan

  variables {
    archive = null
  }

  assert {
    condition     = length(aws_cloudwatch_event_archive.this) == 0
    error_message = "archive = null creates no archive"
  }
}

run "target_without_dlq_refused" {
  command = plan

  variables {
    rules = {
      subscriber = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets       = { queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber", dead_letter_arn = "" } }
      }
    }
  }

  expect_failures = [var.rules]
}

run "retry_beyond_eventbridge_limit_refused" {
  command = plan

  variables {
    rules = {
      subscriber = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets       = { queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber", dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:dlq", maximum_retry_attempts = 186 } }
      }
    }
  }

  expect_failures = [var.rules]
}

run "rule_name_over_64_characters_refused" {
  command = plan

  variables {
    name = "a-bus-whose-name-is-long-enough-that-its-rule-names-pass-64"
  }

  expect_failures = [aws_cloudwatch_event_rule.this["subscriber"]]
}

run "lambda_target_gets_its_permission" {
  command = apply

  variables {
    rules = {
      subscriber = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets = {
          queue    = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber", dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:failures" }
          consumer = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:consumer", dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:failures", lambda_permission = true }
        }
      }
    }
  }

  assert {
    condition = output.lambda_permissions == {
      "subscriber/consumer" = {
        function_name = "arn:aws:lambda:eu-west-1:123456789012:function:consumer"
        principal     = "events.amazonaws.com"
        source_arn    = aws_cloudwatch_event_rule.this["subscriber"].arn
      }
    }
    error_message = "Only the Lambda target gets a permission, for its own rule"
  }
  assert {
    condition     = aws_lambda_permission.this["subscriber/consumer"].statement_id == "events-events-test-subscriber-consumer"
    error_message = "The statement id names the rule and the target"
  }
}

run "lambda_permission_on_a_queue_refused" {
  command = plan

  variables {
    rules = {
      subscriber = {
        event_pattern = "{\"source\":[\"orders\"]}"
        targets       = { queue = { arn = "arn:aws:sqs:eu-west-1:123456789012:subscriber", dead_letter_arn = "arn:aws:sqs:eu-west-1:123456789012:failures", lambda_permission = true } }
      }
    }
  }

  expect_failures = [var.rules]
}
