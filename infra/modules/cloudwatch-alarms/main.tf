resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

# CloudWatch may publish; every SNS action (subscribing, reading attributes and changing the policy too)
# is refused to requests not sent over TLS.
module "topic_policy" {
  source                  = "../policy-document"
  deny_insecure_transport = { service = "sns", resources = [aws_sns_topic.alarms.arn] }
  statements = [{
    sid        = "CloudWatchAlarmsPublish"
    actions    = ["sns:Publish"]
    resources  = [aws_sns_topic.alarms.arn]
    principals = { type = "Service", identifiers = ["cloudwatch.amazonaws.com"] }
  }]
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = module.topic_policy.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  # What each preset watches; a preset's family says which dimensions it takes.
  preset_metrics = {
    function_errors          = { family = "function", metric_name = "Errors", statistic = "Sum", threshold = 0, evaluation_periods = 1, about = "failed whole invocations" }
    function_throttles       = { family = "function", metric_name = "Throttles", statistic = "Sum", threshold = 0, evaluation_periods = 1, about = "was throttled" }
    function_duration        = { family = "function", metric_name = "Duration", statistic = "Maximum", threshold = null, evaluation_periods = 1, about = "ran close to its timeout" }
    stream_iterator_age      = { family = "function", metric_name = "IteratorAge", statistic = "Maximum", threshold = null, evaluation_periods = 1, about = "is behind its stream" }
    queue_depth              = { family = "queue", metric_name = "ApproximateNumberOfMessagesVisible", statistic = "Maximum", threshold = null, evaluation_periods = 1, about = "holds too many messages" }
    dlq_not_empty            = { family = "queue", metric_name = "ApproximateNumberOfMessagesVisible", statistic = "Maximum", threshold = 0, evaluation_periods = 1, about = "holds messages that failed: fix the cause, then redrive" }
    queue_oldest_message_age = { family = "queue", metric_name = "ApproximateAgeOfOldestMessage", statistic = "Maximum", threshold = null, evaluation_periods = 3, about = "has an old message: its consumer is failing or falling behind" }
    api_5xx                  = { family = "api", metric_name = "5XXError", statistic = "Sum", threshold = 0, evaluation_periods = 1, about = "answered 5xx" }
  }
  preset_namespaces = { function = "AWS/Lambda", queue = "AWS/SQS", api = "AWS/ApiGateway" }

  preset_alarms = {
    for k, p in var.presets : k => {
      description = coalesce(p.description, "${coalesce(p.function_name, p.queue_name, p.api_name)} ${local.preset_metrics[p.type].about}.")
      namespace   = local.preset_namespaces[local.preset_metrics[p.type].family]
      metric_name = local.preset_metrics[p.type].metric_name
      dimensions = {
        function = { FunctionName = p.function_name }
        queue    = { QueueName = p.queue_name }
        api      = { ApiName = p.api_name, Stage = p.stage_name }
      }[local.preset_metrics[p.type].family]
      statistic           = local.preset_metrics[p.type].statistic
      period              = 60
      evaluation_periods  = coalesce(p.evaluation_periods, local.preset_metrics[p.type].evaluation_periods)
      datapoints_to_alarm = null
      threshold           = coalesce(p.threshold, local.preset_metrics[p.type].threshold)
      comparison_operator = "GreaterThanThreshold"
      treat_missing_data  = "notBreaching"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = merge(var.alarms, local.preset_alarms)

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  threshold           = each.value.threshold
  comparison_operator = each.value.comparison_operator
  treat_missing_data  = each.value.treat_missing_data
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}
