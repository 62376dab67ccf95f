# Values the AWS provider would compute, shared by every `terraform test` suite (mock_provider "aws" {
# source = ".../infra/testing/aws" }): ARNs that look real, so code that reads a service or an account
# out of an ARN is exercised as in AWS.
mock_data "aws_caller_identity" { defaults = { account_id = "123456789012" } }
mock_data "aws_region" { defaults = { name = "eu-west-1" } }
mock_data "aws_partition" { defaults = { partition = "aws" } }
mock_data "aws_iam_policy_document" { defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" } }
mock_resource "aws_iam_role" { defaults = { arn = "arn:aws:iam::123456789012:role/mock" } }
mock_resource "aws_cloudwatch_log_group" { defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" } }
mock_resource "aws_kms_key" { defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/mock" } }
mock_resource "aws_sqs_queue" { defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock-queue" } }
mock_resource "aws_dynamodb_table" {
  defaults = {
    arn        = "arn:aws:dynamodb:eu-west-1:123456789012:table/mock"
    stream_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/mock/stream/2024-01-01T00:00:00.000"
  }
}

mock_resource "aws_lambda_function" { defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock" } }
mock_resource "aws_sns_topic" { defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock" } }
mock_resource "aws_cloudwatch_event_rule" { defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/mock" } }
mock_resource "aws_api_gateway_rest_api" { defaults = { execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123" } }
mock_data "aws_availability_zones" { defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } }
mock_resource "aws_cloudwatch_event_bus" { defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/mock" } }
mock_resource "aws_sfn_state_machine" { defaults = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:mock" } }
mock_resource "aws_kinesis_firehose_delivery_stream" { defaults = { arn = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/mock" } }
mock_resource "aws_cloudwatch_log_stream" { defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock:log-stream:mock" } }
