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
  description = "Alarms keyed by a short name. Each alarms on one metric and notifies the topic on ALARM and OK."
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

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
