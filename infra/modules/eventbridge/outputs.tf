output "bus_name" {
  description = "Name of the event bus (PutEvents EventBusName)."
  value       = aws_cloudwatch_event_bus.this.name
}

output "bus_arn" {
  description = "ARN of the event bus (events:PutEvents resource)."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "rule_arns" {
  description = "ARN of each rule, keyed like var.rules: the aws:SourceArn a target's resource policy allows."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "rule_names" {
  description = "Name of each rule, keyed like var.rules."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.name }
}

output "targets" {
  description = "Each target, keyed \"<rule key>/<target key>\": its ARN, dead-letter queue and retry policy, to review or test."
  value = {
    for k, t in aws_cloudwatch_event_target.this : k => {
      arn                       = t.arn
      dead_letter_arn           = t.dead_letter_config[0].arn
      maximum_retry_attempts    = t.retry_policy[0].maximum_retry_attempts
      maximum_event_age_seconds = t.retry_policy[0].maximum_event_age_in_seconds
    }
  }
}

output "archive_arn" {
  description = "ARN of the archive (null without one)."
  value       = one(aws_cloudwatch_event_archive.this[*].arn)
}

output "archive_name" {
  description = "Name of the archive (StartReplay's source; null without one)."
  value       = one(aws_cloudwatch_event_archive.this[*].name)
}

output "lambda_permissions" {
  description = "The Lambda permissions the module added (targets with lambda_permission), keyed \"<rule key>/<target key>\": function, principal and source ARN, to review or test."
  value = {
    for k, p in aws_lambda_permission.this : k => {
      function_name = p.function_name
      principal     = p.principal
      source_arn    = p.source_arn
    }
  }
}
