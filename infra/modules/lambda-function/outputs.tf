output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway uses to invoke the function."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_name" {
  description = "Name of the execution role, to attach more policies."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "on_failure_destination_arn" {
  description = "Where failed asynchronous invocations go (null without a destination)."
  value       = one(aws_lambda_function_event_invoke_config.this[*].destination_config[0].on_failure[0].destination)
}

output "permissions" {
  description = "What the role's inline policy grants, by statement sid: actions and resources (sorted), to review or test."
  value = {
    for sid, s in module.policy.statements : sid => {
      actions   = s.actions
      resources = s.resources
    }
  }
}

output "environment" {
  description = "Environment variables of the function, POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL included (never secrets, see var.environment)."
  value       = local.environment
}

output "event_source_mappings" {
  description = "Event source mappings of the function, keyed like var.event_source_mapping: uuid, source, state, response types and on-failure destination."
  value = {
    for k, m in aws_lambda_event_source_mapping.this : k => {
      uuid                    = m.uuid
      event_source_arn        = m.event_source_arn
      enabled                 = m.enabled
      function_response_types = m.function_response_types
      destination_on_failure  = one(flatten(m.destination_config[*].on_failure[*].destination_arn))
    }
  }
}
