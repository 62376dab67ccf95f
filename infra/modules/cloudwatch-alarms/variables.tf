variable "name" {
  description = "Prefix for the alarm names and the name of the SNS topic."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,200}$", var.name))
    error_message = "name may contain letters, digits, '-' and '_'."
  }
}

variable "kms_key_arn" {
  description = "CMK encrypting the SNS topic. Its key policy must let cloudwatch.amazonaws.com use it (kms-key module: service_principals)."
  type        = string
}

variable "alarm_emails" {
  description = "Email addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+$", e))])
    error_message = "alarm_emails must be email addresses."
  }
}

variable "alarms" {
  description = "Alarms keyed by a short name (the alarm is named <name>-<key>), for metrics no preset covers (see var.presets). Each alarms on one metric and notifies the topic on ALARM and OK."
  type = map(object({
    description         = string
    namespace           = string
    metric_name         = string
    dimensions          = map(string)
    statistic           = optional(string, "Sum")
    period              = optional(number, 60)
    evaluation_periods  = optional(number, 1)
    datapoints_to_alarm = optional(number)
    threshold           = number
    comparison_operator = optional(string, "GreaterThanThreshold")
    treat_missing_data  = optional(string, "notBreaching")
  }))
  default = {}

  validation {
    condition     = alltrue([for a in values(var.alarms) : contains(["SampleCount", "Average", "Sum", "Minimum", "Maximum"], a.statistic)])
    error_message = "statistic must be one of SampleCount, Average, Sum, Minimum, Maximum."
  }

  validation {
    condition     = alltrue([for a in values(var.alarms) : contains(["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"], a.comparison_operator)])
    error_message = "comparison_operator must be a static threshold operator."
  }

  validation {
    condition     = alltrue([for a in values(var.alarms) : contains(["breaching", "notBreaching", "ignore", "missing"], a.treat_missing_data)])
    error_message = "treat_missing_data must be breaching, notBreaching, ignore or missing."
  }

  validation {
    condition     = alltrue([for a in values(var.alarms) : a.period >= 10 && a.evaluation_periods >= 1])
    error_message = "period must be >= 10 seconds and evaluation_periods >= 1."
  }
}

variable "presets" {
  description = <<-EOT
    Common alarms in one line each, keyed by a short name like var.alarms (the two maps must not share a
    key). type is one of:
      function_errors, function_throttles      -> function_name; Sum > threshold (default 0)
      function_duration                        -> function_name, threshold in milliseconds (Maximum)
      stream_iterator_age                      -> function_name, threshold in milliseconds (Maximum)
      dlq_not_empty                            -> queue_name; visible messages (Maximum) > 0
      queue_depth                              -> queue_name, threshold in messages (Maximum)
      queue_oldest_message_age                 -> queue_name, threshold in seconds (Maximum, 3 periods)
      api_5xx                                  -> api_name and stage_name; 5XXError Sum > threshold (default 0)
    Every preset alarms over 60 s periods when the metric is greater than the threshold and treats missing
    data as not breaching; description defaults to what the watched resource did.
  EOT
  type = map(object({
    type               = string
    description        = optional(string)
    function_name      = optional(string)
    queue_name         = optional(string)
    api_name           = optional(string)
    stage_name         = optional(string)
    threshold          = optional(number)
    evaluation_periods = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for p in values(var.presets) : contains(["function_errors", "function_throttles", "function_duration", "stream_iterator_age", "dlq_not_empty", "queue_depth", "queue_oldest_message_age", "api_5xx"], p.type)])
    error_message = "presets: type must be function_errors, function_throttles, function_duration, stream_iterator_age, dlq_not_empty, queue_depth, queue_oldest_message_age or api_5xx."
  }

  validation {
    condition = alltrue([
      for p in values(var.presets) :
      startswith(p.type, "function_") || p.type == "stream_iterator_age" ? p.function_name != null && p.queue_name == null && p.api_name == null :
      p.type == "api_5xx" ? p.api_name != null && p.stage_name != null && p.function_name == null && p.queue_name == null :
      p.queue_name != null && p.function_name == null && p.api_name == null
    ])
    error_message = "presets: function_* and stream_iterator_age take function_name, dlq_not_empty and queue_* take queue_name, api_5xx takes api_name and stage_name (and nothing else)."
  }

  validation {
    condition     = alltrue([for p in values(var.presets) : p.threshold != null if contains(["function_duration", "stream_iterator_age", "queue_depth", "queue_oldest_message_age"], p.type)])
    error_message = "presets: function_duration, stream_iterator_age, queue_depth and queue_oldest_message_age need a threshold."
  }

  validation {
    condition     = alltrue([for p in values(var.presets) : p.type != "dlq_not_empty" || p.threshold == null])
    error_message = "presets: dlq_not_empty alarms on the first message (threshold 0): use queue_depth for another threshold."
  }

  validation {
    condition     = length(setintersection(keys(var.presets), keys(var.alarms))) == 0
    error_message = "presets and alarms name different alarms: a key may stand in only one of them."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
