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
    condition = anytrue([
      for s in data.aws_iam_policy_document.topic.statement :
      s.effect == "Deny" && s.actions == toset(["sns:*"]) && anytrue([for c in s.condition : c.test == "Bool" && c.variable == "aws:SecureTransport" && c.values == tolist(["false"])])
    ])
    error_message = "The topic denies every SNS action (not a list of some) to requests not sent over TLS"
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.topic.statement : s.effect != "Deny" || s.actions == toset(["sns:*"])])
    error_message = "No deny statement covers only some actions"
  }
}
