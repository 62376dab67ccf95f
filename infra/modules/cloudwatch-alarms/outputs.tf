output "topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the alarms, keyed like var.alarms and var.presets."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.alarm_name }
}

output "alarm_metrics" {
  description = "What each alarm watches, keyed like var.alarms and var.presets: namespace, metric, dimensions, statistic, period, evaluation periods and threshold."
  value = {
    for k, a in aws_cloudwatch_metric_alarm.this : k => {
      namespace          = a.namespace
      metric_name        = a.metric_name
      dimensions         = a.dimensions
      statistic          = a.statistic
      period             = a.period
      evaluation_periods = a.evaluation_periods
      threshold          = a.threshold
    }
  }
}
