output "topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the alarms, keyed like var.alarms."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}
