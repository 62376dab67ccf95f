# Plans the pipeline against a mocked provider and checks that each function's role grants what its
# code (or its event source mapping) calls, and nothing else that was found unused.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                     = "notes-test"
  api_artifact_path        = "tests/fixture-handler.zip"
  forwarder_artifact_path  = "tests/fixture-handler.zip"
  word_count_artifact_path = "tests/fixture-handler.zip"
}

run "least_privilege" {
  command = plan

  assert {
    condition     = module.word_count.permissions["ConsumeQueue"].actions == tolist(["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"])
    error_message = "The word count is fed by its event source mapping only: receive, delete, attributes (no ChangeMessageVisibility, which no code calls)"
  }
  assert {
    condition     = module.forwarder.permissions["ReadStream"].actions == tolist(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"])
    error_message = "The forwarder reads its one stream; ListStreams (never called, and not scoped by a stream ARN) is not granted"
  }
  assert {
    condition     = alltrue(flatten([for m in [module.api_function.permissions, module.forwarder.permissions, module.word_count.permissions] : [for sid, p in m : !contains(p.actions, "sqs:ChangeMessageVisibility") && !contains(p.actions, "dynamodb:ListStreams")]]))
    error_message = "No notes function may change message visibility or list streams"
  }
}
