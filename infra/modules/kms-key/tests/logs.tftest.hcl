# Plans the key against a mocked provider and checks which log groups CloudWatch Logs may encrypt with it.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name        = "orders"
  description = "test key"
}

run "logs_grant_scoped_to_the_pipeline" {
  command = plan

  assert {
    condition = tolist(flatten([
      for s in data.aws_iam_policy_document.key.statement : [
        for c in s.condition : c.values if c.variable == "kms:EncryptionContext:aws:logs:arn"
      ] if s.sid == "CloudWatchLogs"
      ])) == tolist([
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-*",
      "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/orders-*",
      "arn:aws:logs:eu-west-1:123456789012:log-group:API-Gateway-Execution-Logs_*",
    ])
    error_message = "CloudWatch Logs may use the key for the pipeline's own log groups only, not every log group of the account"
  }
}

run "explicit_patterns" {
  command = plan

  variables {
    log_group_name_patterns = ["/aws/lambda/orders-loader"]
  }

  assert {
    condition = tolist(flatten([
      for s in data.aws_iam_policy_document.key.statement : [
        for c in s.condition : c.values if c.variable == "kms:EncryptionContext:aws:logs:arn"
      ] if s.sid == "CloudWatchLogs"
    ])) == tolist(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders-loader"])
    error_message = "Given patterns replace the default"
  }
}

run "account_wide_pattern_refused" {
  command = plan

  variables {
    log_group_name_patterns = ["*"]
  }

  expect_failures = [var.log_group_name_patterns]
}
