output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "rest_api_name" {
  description = "Name of the REST API (the ApiName dimension of its metrics)."
  value       = aws_api_gateway_rest_api.this.name
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  description = "Base URL of the stage: routes are <invoke_url>/<path_part>[/{id}]."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "endpoint_url" {
  description = "Full URL of the collection route (<invoke_url>/<path_part>)."
  value       = "${aws_api_gateway_stage.this.invoke_url}/${var.path_part}"
}

output "api_key_id" {
  description = "ID of the client API key."
  value       = aws_api_gateway_api_key.this.id
}

output "api_key_value" {
  description = "Value of the client API key (send it as x-api-key)."
  value       = aws_api_gateway_api_key.this.value
  sensitive   = true
}

output "integration_role_arn" {
  description = "Role API Gateway assumes to write to the storage target; null for type = \"lambda\"."
  value       = one(aws_iam_role.integration[*].arn)
}

output "access_log_group_name" {
  description = "Access log group of the stage."
  value       = aws_cloudwatch_log_group.access.name
}

output "routes" {
  description = "Routes the API serves, sorted, as \"<METHOD> /<path_part>[/{<item_path_parameter>}]\"."
  value       = local.route_names
}

output "invoke_arn_pattern" {
  description = "execute-api ARN of every route of the stage, for IAM policies."
  value       = local.routes_arn
}

output "invoke_policy_json" {
  description = "IAM policy document allowing execute-api:Invoke on every route of the stage (attach it to the callers when authorization = \"AWS_IAM\")."
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeApi"
      Effect   = "Allow"
      Action   = "execute-api:Invoke"
      Resource = local.routes_arn
    }]
  })
}

output "execution_log_group_name" {
  description = "Execution log group of the stage (API-Gateway-Execution-Logs_<rest api id>/<stage>), managed here with the CMK and retention."
  value       = aws_cloudwatch_log_group.execution.name
}
