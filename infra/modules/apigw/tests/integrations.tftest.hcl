# Applies the module once per integration type against a mocked provider (no AWS account needed) and
# checks that each stores the request directly in its service.
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
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name        = "test-api"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "sqs_send_message" {
  command = apply

  variables {
    integration = {
      type          = "sqs"
      sqs_queue_arn = "arn:aws:sqs:eu-west-1:123456789012:orders"
    }
  }

  assert {
    condition     = aws_api_gateway_integration.this.type == "AWS" && aws_api_gateway_integration.this.uri == "arn:aws:apigateway:eu-west-1:sqs:path/123456789012/orders"
    error_message = "SQS integration must call SendMessage on the queue's path"
  }
  assert {
    condition     = startswith(aws_api_gateway_integration.this.request_templates["application/json"], "Action=SendMessage&MessageBody=$util.urlEncode($input.body)")
    error_message = "SQS template must URL-encode the body into SendMessage"
  }
  assert {
    condition     = aws_api_gateway_integration.this.passthrough_behavior == "NEVER"
    error_message = "Bodies of other content types must be refused (415), never passed through"
  }
  assert {
    condition     = aws_api_gateway_method.post.api_key_required && aws_api_gateway_method.post.request_validator_id != null
    error_message = "The route must require an API key and validate the body"
  }
  assert {
    condition     = aws_api_gateway_integration_response.this["400"].selection_pattern == "4\\d{2}"
    error_message = "Service 4xx (e.g. message too large) must map to a 400"
  }
}

run "s3_put_object" {
  command = apply

  variables {
    integration = {
      type           = "s3"
      s3_bucket_name = "landing-bucket"
      s3_key_prefix  = "raw/"
    }
  }

  assert {
    condition     = aws_api_gateway_integration.this.integration_http_method == "PUT" && aws_api_gateway_integration.this.uri == "arn:aws:apigateway:eu-west-1:s3:path/landing-bucket/raw/{key}.json"
    error_message = "S3 integration must PUT the object under the prefix"
  }
  assert {
    condition     = aws_api_gateway_integration.this.request_parameters["integration.request.path.key"] == "context.requestId"
    error_message = "S3 object key must be the request id (unique, never overwritten)"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration_response.this["202"].response_templates["application/json"], "raw/$${context.requestId}.json")
    error_message = "The S3 answer must name the stored key with a formal VTL reference"
  }
}

run "dynamodb_put_item" {
  command = apply

  variables {
    integration = {
      type                = "dynamodb"
      dynamodb_table_name = "requests"
    }
  }

  assert {
    condition     = aws_api_gateway_integration.this.uri == "arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem"
    error_message = "DynamoDB integration must call PutItem"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration.this.request_templates["application/json"], "\"ConditionExpression\": \"attribute_not_exists(#pk)\"")
    error_message = "DynamoDB PutItem must never overwrite an item"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration.this.request_templates["application/json"], "\"TableName\": \"requests\"")
    error_message = "DynamoDB PutItem must target the table"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration.this.request_templates["application/json"], "$util.escapeJavaScript($input.body).replaceAll(\"\\\\'\", \"'\")")
    error_message = "The body must be escaped for JSON inside the template"
  }
}

run "integration_target_required" {
  command = plan

  variables {
    integration = { type = "s3" }
  }

  expect_failures = [var.integration]
}
