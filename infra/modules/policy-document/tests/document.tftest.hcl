# Renders policies against a mocked provider: the TLS-only deny and the caller's statements.
mock_provider "aws" {
  source = "../../testing/aws"
}

run "tls_only_first_then_statements" {
  command = plan

  variables {
    deny_insecure_transport = { service = "sqs", resources = ["arn:aws:sqs:eu-west-1:123456789012:orders"] }
    statements = [{
      sid        = "S3Notifications"
      actions    = ["sqs:SendMessage"]
      resources  = ["arn:aws:sqs:eu-west-1:123456789012:orders"]
      principals = { type = "Service", identifiers = ["s3.amazonaws.com"] }
      conditions = [{ test = "ArnEquals", variable = "aws:SourceArn", values = ["arn:aws:s3:::bucket"] }]
    }]
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.sid] == ["DenyInsecureTransport", "S3Notifications"]
    error_message = "The TLS deny comes first, then the caller's statements in order"
  }
  assert {
    condition = (
      output.statements["DenyInsecureTransport"].effect == "Deny" && output.statements["DenyInsecureTransport"].actions == tolist(["sqs:*"]) &&
      output.statements["DenyInsecureTransport"].principals.identifiers == tolist(["*"]) &&
      output.statements["DenyInsecureTransport"].conditions == ["Bool aws:SecureTransport false"]
    )
    error_message = "Every action of the service is denied to everyone for requests not sent over TLS"
  }
  assert {
    condition     = output.statements["S3Notifications"].effect == "Allow" && output.statements["S3Notifications"].principals.type == "Service" && output.statements["S3Notifications"].conditions == ["ArnEquals aws:SourceArn arn:aws:s3:::bucket"]
    error_message = "A statement keeps its principals and conditions and allows by default"
  }
}

run "identity_policy_has_no_principals" {
  command = plan

  variables {
    statements = [{ sid = "Read", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::bucket/key"] }]
  }

  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 1 && length(one(data.aws_iam_policy_document.this.statement).principals) == 0
    error_message = "Without deny_insecure_transport only the statements are rendered, without principals"
  }
}

run "sids_are_distinct" {
  command = plan

  variables {
    statements = [
      { sid = "Same", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::a/*"] },
      { sid = "Same", actions = ["s3:PutObject"], resources = ["arn:aws:s3:::a/*"] },
    ]
  }

  expect_failures = [var.statements]
}
