variable "name" {
  description = "Prefix for every resource of this pipeline."
  type        = string
  default     = "storage-first"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,40}$", var.name))
    error_message = "name may contain lower-case letters, digits and '-' (1-40 characters)."
  }
}

variable "processor_artifact_path" {
  description = "Zip of the processor handler (dist/storage-first-processor.zip)."
  type        = string
}

variable "processor_timeout" {
  description = "Processor timeout in seconds; the queue's visibility timeout is six times this plus the batching window (AWS's rule for Lambda's pollers). runtime.quick_retries uses 3."
  type        = number
  default     = 30

  validation {
    condition     = var.processor_timeout >= 3 && var.processor_timeout <= 900
    error_message = "processor_timeout must be between 3 and 900 seconds."
  }
}

variable "batch_size" {
  description = "Messages per processor invocation."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be between 1 and 10000."
  }
}

variable "maximum_batching_window_seconds" {
  description = "How long the event source mapping gathers a batch (required > 0 when batch_size > 10)."
  type        = number
  default     = 1

  validation {
    condition     = var.maximum_batching_window_seconds >= 0 && var.maximum_batching_window_seconds <= 300
    error_message = "maximum_batching_window_seconds must be between 0 and 300."
  }
}

variable "maximum_concurrency" {
  description = "Most concurrent processor invocations the queue may drive (protects what the processor calls)."
  type        = number
  default     = 10

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be between 2 and 1000."
  }
}

variable "max_receive_count" {
  description = "Processing attempts before a message is parked in the DLQ. runtime.quick_retries uses 2."
  type        = number
  default     = 5
}

variable "max_message_size" {
  description = "Largest message the queue accepts, in bytes; larger requests get a 400."
  type        = number
  default     = 262144
}

variable "log_level" {
  description = "Log level of the processor (DEBUG, INFO, WARN, ERROR). Validated by the lambda-function module."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second for the API key."
  type        = number
  default     = 100
}

variable "throttle_burst_limit" {
  description = "Request burst for the API key."
  type        = number
  default     = 200
}

variable "oldest_message_age_alarm_seconds" {
  description = "Alarm when the oldest message in the queue is older than this."
  type        = number
  default     = 300
}

variable "alarm_emails" {
  description = "Emails subscribed to the pipeline's alarm topic."
  type        = list(string)
  default     = []
}

variable "api_gateway_account_setting_id" {
  description = "ID of the region's API Gateway account setting (infra/stack manages it), so the API's stage is created after it and can log; null when it is managed elsewhere."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Where the pipeline runs (the same object in every pipeline). event_source_mappings_enabled = false creates the processor's event source mapping disabled: the local emulator's runtime polls the queue instead. quick_retries = true times the processor out after 3 s, makes the visibility timeout that plus the batching window and 5 s (the local runtime polls one batch at a time) and parks a message after 2 receives (instead of processor_timeout and max_receive_count), so a poison message reaches the DLQ in about 20 s. Both are for the local emulator; AWS deployments keep the defaults."
  type        = object({ event_source_mappings_enabled = optional(bool, true), quick_retries = optional(bool, false) })
  default     = {}
  nullable    = false

  validation {
    condition     = !(var.runtime.quick_retries && var.runtime.event_source_mappings_enabled)
    error_message = "runtime.quick_retries (2 receives, 9 s apart) is for the local emulator, whose runtime polls the queue itself: set event_source_mappings_enabled = false with it."
  }
}
