# A resource API served by one Lambda function: every route is a proxy integration (type = "lambda").

resource "aws_api_gateway_integration" "lambda" {
  for_each = local.stores ? {} : local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.this[each.key].resource_id
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.integration.lambda_invoke_arn
}

resource "aws_lambda_permission" "api" {
  count         = local.stores ? 0 : 1
  statement_id  = "apigw-${substr(var.name, 0, 90)}"
  action        = "lambda:InvokeFunction"
  function_name = var.integration.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  # Only this API's own stage and routes may invoke the function.
  source_arn = local.routes_arn
}
