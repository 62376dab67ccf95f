# Applies the module as a resource API served by one Lambda function (lambda-proxy.tf) against a mocked
# provider and checks that it serves exactly the declared routes through proxy integrations.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name               = "articles-api"
  path_part          = "articles"
  request_model_name = "ArticleInput"
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  integration = {
    type                 = "lambda"
    lambda_function_name = "articles-api"
    lambda_invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:articles-api/invocations"
    item_path_parameter  = "articleId"
  }
}

run "lambda_resource_api" {
  command = apply

  assert {
    condition     = jsonencode(output.routes) == jsonencode(["DELETE /articles/{articleId}", "GET /articles", "GET /articles/{articleId}", "POST /articles", "PUT /articles/{articleId}"])
    error_message = "A Lambda resource API serves the collection and item routes, nothing else"
  }
  assert {
    condition     = alltrue([for i in aws_api_gateway_integration.lambda : i.type == "AWS_PROXY" && i.integration_http_method == "POST"])
    error_message = "Every route must be a Lambda proxy integration (invoked with POST)"
  }
  assert {
    condition     = alltrue([for m in aws_api_gateway_method.this : m.api_key_required])
    error_message = "Every route must require an API key"
  }
  assert {
    condition = (
      aws_api_gateway_method.this["collection POST"].request_validator_id != null &&
      aws_api_gateway_method.this["item PUT"].request_validator_id != null &&
      aws_api_gateway_method.this["item GET"].request_validator_id == null
    )
    error_message = "Bodies of POST and PUT must be validated; reads carry none"
  }
  assert {
    condition     = aws_api_gateway_method.this["item DELETE"].request_parameters["method.request.path.articleId"]
    error_message = "Item routes must declare their path parameter"
  }
  assert {
    condition     = aws_lambda_permission.api[0].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/articles*"
    error_message = "Only this API's stage and routes may invoke the function"
  }
  assert {
    condition     = length(aws_iam_role.integration) == 0 && length(aws_api_gateway_integration_response.this) == 0
    error_message = "A proxy API needs no integration role and no response mapping"
  }
}

run "iam_authorization" {
  command = apply

  variables {
    authorization = "AWS_IAM"
  }

  assert {
    condition     = alltrue([for m in aws_api_gateway_method.this : m.authorization == "AWS_IAM" && m.api_key_required])
    error_message = "Every route must require a SigV4 signature and the API key"
  }
  assert {
    condition     = aws_api_gateway_gateway_response.this["MISSING_AUTHENTICATION_TOKEN"].status_code == "403"
    error_message = "An unsigned request must be told to sign (403), not that the route is missing"
  }
  assert {
    condition     = jsondecode(output.invoke_policy_json).Statement[0].Resource == "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/articles*"
    error_message = "The invoke policy must cover exactly this stage's routes"
  }
}

run "lambda_needs_function" {
  command = plan

  variables {
    integration = { type = "lambda", lambda_function_name = "articles-api" }
  }

  expect_failures = [var.integration]
}
