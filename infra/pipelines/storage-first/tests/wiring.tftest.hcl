# Applies the pipeline against a mocked provider and checks the wiring that keeps messages safe.
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
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock-queue" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock" }
  }
}

variables {
  name                    = "sf-test"
  processor_artifact_path = "tests/fixture-handler.zip"
  processor_timeout       = 20
}

run "wiring" {
  command = apply

  assert {
    condition     = aws_lambda_event_source_mapping.processor.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The processor must report partial batch failures, or one bad message fails its whole batch"
  }
  assert {
    condition     = module.queue.queue_arn == aws_lambda_event_source_mapping.processor.event_source_arn
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
    condition     = module.processor.permissions["ConsumeQueue"].actions == tolist(["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"])
    error_message = "The processor is fed by its event source mapping only: receive, delete, attributes (no ChangeMessageVisibility, which no code calls)"
  }
  assert {
    condition     = length(module.alarms.alarm_names) == 5 && contains(keys(module.alarms.alarm_names), "dlq-not-empty")
    error_message = "DLQ depth, oldest age, errors, throttles and API 5xx must each have an alarm"
  }
}
