# Applies the module once per storage integration type against a mocked provider (no AWS account
# needed) and checks that each stores the request directly in its service (service-integration.tf).
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name               = "test-api"
  path_part          = "orders"
  request_model_name = "Order"
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  # The storage-first case; other runs set their own integration.
  integration = {
    type          = "sqs"
    sqs_queue_arn = "arn:aws:sqs:eu-west-1:123456789012:orders"
  }
}

run "sqs_send_message" {
  command = apply

  assert {
    condition     = aws_api_gateway_integration.this[0].type == "AWS" && aws_api_gateway_integration.this[0].uri == "arn:aws:apigateway:eu-west-1:sqs:path/123456789012/orders"
    error_message = "SQS integration must call SendMessage on the queue's path"
  }
  assert {
    condition     = startswith(aws_api_gateway_integration.this[0].request_templates["application/json"], "Action=SendMessage&MessageBody=$util.urlEncode($input.body)")
    error_message = "SQS template must URL-encode the body into SendMessage"
  }
  assert {
    condition     = aws_api_gateway_integration.this[0].passthrough_behavior == "NEVER"
    error_message = "Bodies of other content types must be refused (415), never passed through"
  }
  assert {
    condition     = aws_api_gateway_method.this["collection POST"].api_key_required && aws_api_gateway_method.this["collection POST"].request_validator_id != null
    error_message = "The route must require an API key and validate the body"
  }
  assert {
    condition     = aws_api_gateway_integration_response.this["400"].selection_pattern == "4\\d{2}"
    error_message = "Service 4xx (e.g. message too large) must map to a 400"
  }
  assert {
    condition     = aws_api_gateway_resource.this.path_part == "orders" && aws_api_gateway_model.body.name == "Order" && aws_api_gateway_method.this["collection POST"].request_models["application/json"] == "Order"
    error_message = "The route and the body's model are named by path_part and request_model_name"
  }
}

run "sqs_refusals_name_their_cause" {
  command = apply

  variables {
    integration = {
      type                 = "sqs"
      sqs_queue_arn        = "arn:aws:sqs:eu-west-1:123456789012:orders"
      sqs_max_message_size = 1024
    }
  }

  assert {
    condition     = strcontains(aws_api_gateway_integration_response.this["400"].response_templates["application/json"], "at most 1024 bytes") && strcontains(aws_api_gateway_integration_response.this["400"].response_templates["application/json"], "\"maxBodyBytes\":970")
    error_message = "A body over the queue limit must get a 400 quoting the queue's configured limit in bytes (and the body's share of it)"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration_response.this["400"].response_templates["application/json"], "#set($context.responseOverride.status = 503)") && strcontains(aws_api_gateway_integration_response.this["400"].response_templates["application/json"], "RequestThrottled")
    error_message = "SQS throttling must become a 503 saying nothing was stored"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration_response.this["400"].response_templates["application/json"], "#set($context.responseOverride.status = 502)") && strcontains(aws_api_gateway_integration_response.this["400"].response_templates["application/json"], "KMS.")
    error_message = "KMS errors must become a 502 saying nothing was stored"
  }
  assert {
    condition     = contains(keys(aws_api_gateway_method_response.override), "503")
    error_message = "The 503 the template sets must be a declared method response"
  }
}

run "body_depth_and_execution_logs" {
  command = apply

  variables {
    max_body_depth     = 4
    log_retention_days = 400
  }

  assert {
    condition     = jsondecode(aws_api_gateway_model.body.schema).allOf[0]["$ref"] == "#/definitions/bodyDepth4" && length(jsondecode(aws_api_gateway_model.body.schema).definitions) == 5
    error_message = "The model must check the body against a chain of max_body_depth + 1 definitions"
  }
  assert {
    condition     = jsondecode(aws_api_gateway_model.body.schema).definitions.bodyDepth0.type == ["string", "number", "boolean", "null"] && jsondecode(aws_api_gateway_model.body.schema).definitions.bodyDepth1.items["$ref"] == "#/definitions/bodyDepth0"
    error_message = "The last level must admit scalars only, each level above must refer to the one below"
  }
  assert {
    condition     = jsondecode(aws_api_gateway_model.body.schema).minProperties == 1
    error_message = "The caller's request_schema must be kept"
  }
  assert {
    condition     = strcontains(aws_api_gateway_gateway_response.this["BAD_REQUEST_BODY"].response_templates["application/json"], "nest at most 4 levels")
    error_message = "The 400 for an invalid body must state the depth limit"
  }
  assert {
    condition     = startswith(aws_cloudwatch_log_group.execution.name, "API-Gateway-Execution-Logs_") && endswith(aws_cloudwatch_log_group.execution.name, "/v1")
    error_message = "The execution log group must be the one API Gateway writes to (API-Gateway-Execution-Logs_<rest api id>/<stage>)"
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.execution.retention_in_days == 400
    error_message = "The execution log group must be encrypted with the CMK and keep logs for log_retention_days"
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
    condition     = aws_api_gateway_integration.this[0].integration_http_method == "PUT" && aws_api_gateway_integration.this[0].uri == "arn:aws:apigateway:eu-west-1:s3:path/landing-bucket/raw/{key}.json"
    error_message = "S3 integration must PUT the object under the prefix"
  }
  assert {
    condition     = aws_api_gateway_integration.this[0].request_parameters["integration.request.path.key"] == "context.requestId"
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
    condition     = aws_api_gateway_integration.this[0].uri == "arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem"
    error_message = "DynamoDB integration must call PutItem"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration.this[0].request_templates["application/json"], "\"ConditionExpression\": \"attribute_not_exists(#pk)\"")
    error_message = "DynamoDB PutItem must never overwrite an item"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration.this[0].request_templates["application/json"], "\"TableName\": \"requests\"")
    error_message = "DynamoDB PutItem must target the table"
  }
  assert {
    condition     = strcontains(aws_api_gateway_integration.this[0].request_templates["application/json"], "$util.escapeJavaScript($input.body).replaceAll(\"\\\\'\", \"'\")")
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
