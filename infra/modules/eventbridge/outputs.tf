output "bus_name" {
  description = "Name of the event bus (PutEvents EventBusName; null with create_bus = false)."
  value       = local.bus_name
}

output "bus_arn" {
  description = "ARN of the event bus (events:PutEvents resource; null with create_bus = false)."
  value       = one(aws_cloudwatch_event_bus.this[*].arn)
}

output "rule_arns" {
  description = "ARN of each rule and schedule, keyed like var.rules and var.schedules: the aws:SourceArn a target's (or its dead-letter queue's) resource policy allows."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "rule_names" {
  description = "Name of each rule and schedule, keyed like var.rules and var.schedules."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.name }
}

output "rule_metric_dimensions" {
  description = "CloudWatch dimensions of each rule's and schedule's AWS/Events metrics (FailedInvocations, InvocationsFailedToBeSentToDlq...), keyed like rule_names: RuleName alone on the default bus, EventBusName and RuleName on the custom bus."
  value = {
    for k, r in aws_cloudwatch_event_rule.this : k => (
      local.all_rules[k].bus == "default" ? { RuleName = r.name } : { EventBusName = r.event_bus_name, RuleName = r.name }
    )
  }
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
