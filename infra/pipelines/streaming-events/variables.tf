variable "name" {
  description = "Prefix for every resource of this pipeline; also the delivery stream and the bus name."
  type        = string
  default     = "streaming-events"

  validation {
    # Keeps <name>-lake-<account id> within S3's 63 characters and <name>-transformer-role within IAM's 64.
    condition     = can(regex("^[a-z](-?[a-z0-9])*$", var.name)) && length(var.name) <= 45
    error_message = "name must start with a lowercase letter and hold lowercase letters, digits and single hyphens, not ending with one (at most 45 characters)."
  }
}

variable "artifact_paths" {
  description = "Zips of the four handlers build.mjs writes: dist/streaming-events-{transformer,storer,emitter,consumer}.zip."
  type = object({
    transformer = string
    storer      = string
    emitter     = string
    consumer    = string
  })
}

variable "lake_buffering" {
  description = "When Firehose writes a lake object: after size_mb of transformed records or interval_seconds, whichever first. Validated by the kinesis module (1-128 MB, 0-900 s)."
  type = object({
    size_mb          = optional(number, 64)
    interval_seconds = optional(number, 300)
  })
  default  = {}
  nullable = false
}

variable "processor" {
  description = "How Firehose calls the transformer: batches of buffer_size_mb (at most 3: base64 plus the JSON envelope must fit Lambda's 6 MB payload) or buffer_interval_seconds, and number_of_retries retries of a failed invocation (the queue refusing records fails it) before the batch goes under the error prefix. Validated by the kinesis module (0.2-3 MB, 0-900 s, 0-300 retries)."
  type = object({
    buffer_size_mb          = optional(number, 1)
    buffer_interval_seconds = optional(number, 60)
    number_of_retries       = optional(number, 3)
  })
  default  = {}
  nullable = false
}

variable "queue_max_receive_count" {
  description = "Receives of an event on the FIFO queue before it moves to the dead-letter queue (the storer failing it each time); its group waits behind it meanwhile."
  type        = number
  default     = 5

  validation {
    condition     = var.queue_max_receive_count >= 1 && var.queue_max_receive_count <= 1000
    error_message = "queue_max_receive_count must be between 1 and 1000."
  }
}

variable "stream" {
  description = "The emitter's mapping on the events table's stream: batch_size records per invocation, maximum_retry_attempts (0-10000) and maximum_record_age_seconds (60-604800) before a batch still failing after bisection goes to the emitter failure queue (its records stay in the table: re-emit them from there)."
  type = object({
    batch_size                 = optional(number, 100)
    maximum_retry_attempts     = optional(number, 10)
    maximum_record_age_seconds = optional(number, 21600)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.stream.batch_size >= 1 && var.stream.batch_size <= 10000 && var.stream.maximum_retry_attempts >= 0 && var.stream.maximum_retry_attempts <= 10000 && var.stream.maximum_record_age_seconds >= 60 && var.stream.maximum_record_age_seconds <= 604800
    error_message = "stream: batch_size must be 1-10000, maximum_retry_attempts 0-10000, maximum_record_age_seconds 60-604800."
  }
}

variable "event_archive_days" {
  description = "Days the bus archive keeps the emitted events (replayable to the consumer); 0 keeps them forever. Validated by the eventbridge module."
  type        = number
  default     = 30
}

variable "iterator_age_alarm_seconds" {
  description = "Alarm when the emitter is more than this far behind the events table's stream (records expire after 24 h)."
  type        = number
  default     = 300

  validation {
    condition     = var.iterator_age_alarm_seconds >= 1 && var.iterator_age_alarm_seconds < 86400
    error_message = "iterator_age_alarm_seconds must be between 1 and 86399."
  }
}

variable "data_freshness_alarm_seconds" {
  description = "Alarm when the oldest record in the delivery stream is older than this (DeliveryToS3.DataFreshness): keep it above lake_buffering.interval_seconds plus processing."
  type        = number
  default     = 900

  validation {
    condition     = var.data_freshness_alarm_seconds >= 60
    error_message = "data_freshness_alarm_seconds must be at least 60."
  }
}

variable "log_level" {
  description = "Log level of the functions (DEBUG, INFO, WARN, ERROR). Validated by the lambda-function module."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "deletion_protection" {
  description = "Protect the events and consumed tables from deletion."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Emails subscribed to the pipeline's alarm topic."
  type        = list(string)
  default     = []
}

variable "runtime" {
  description = "Where the pipeline runs (the same object in every pipeline). event_source_mappings_enabled = false creates the queue and stream mappings disabled: the local emulator's runtime polls them instead. quick_retries = true flushes Firehose's buffers after 1-2 s, times the storer out after 5 s (a failed event is back after 10 s: the timeout and a margin, as the local runtime polls one batch at a time), parks an event after 2 receives, gives up on a stream batch after 2 retries or 60 s and on delivering to the consumer after 2 retries or 60 s, so failures reach their queues while the local emulator runs."
  type        = object({ event_source_mappings_enabled = optional(bool, true), quick_retries = optional(bool, false) })
  default     = {}
  nullable    = false

  validation {
    condition     = !(var.runtime.quick_retries && var.runtime.event_source_mappings_enabled)
    error_message = "runtime.quick_retries is for the local emulator, which sets event_source_mappings_enabled = false with it."
  }
}
