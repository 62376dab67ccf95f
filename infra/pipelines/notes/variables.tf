variable "name" {
  description = "Prefix for every resource of this pipeline."
  type        = string
  default     = "notes"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,40}$", var.name))
    error_message = "name may contain lower-case letters, digits and '-' (1-40 characters)."
  }
}

variable "api_artifact_path" {
  description = "Zip of the notes API handler (dist/notes-api.zip)."
  type        = string
}

variable "forwarder_artifact_path" {
  description = "Zip of the stream forwarder handler (dist/notes-forwarder.zip)."
  type        = string
}

variable "word_count_artifact_path" {
  description = "Zip of the word-count handler (dist/notes-word-count.zip)."
  type        = string
}

variable "stream_batch_size" {
  description = "Most stream records per forwarder invocation (sent to SQS 10 per call)."
  type        = number
  default     = 100

  validation {
    condition     = var.stream_batch_size >= 1 && var.stream_batch_size <= 10000
    error_message = "stream_batch_size must be between 1 and 10000."
  }
}

variable "stream_maximum_retry_attempts" {
  description = "Retries of a failing stream batch (bisected on each error) before its records are reported to the on-failure queue."
  type        = number
  default     = 5

  validation {
    condition     = var.stream_maximum_retry_attempts >= 0 && var.stream_maximum_retry_attempts <= 10000
    error_message = "stream_maximum_retry_attempts must be between 0 and 10000 (-1, forever, would block the shard)."
  }
}

variable "stream_maximum_record_age_seconds" {
  description = "Stream records older than this are not retried but reported to the on-failure queue."
  type        = number
  default     = 3600

  validation {
    condition     = var.stream_maximum_record_age_seconds >= 60 && var.stream_maximum_record_age_seconds <= 604800
    error_message = "stream_maximum_record_age_seconds must be between 60 and 604800."
  }
}

variable "word_count_timeout" {
  description = "Word-count function timeout in seconds (the queue's visibility timeout is six times this, AWS's rule for Lambda's pollers; with runtime.quick_retries it is this plus 5 s). runtime.quick_retries uses 3. Validated by the lambda-function module (1-900)."
  type        = number
  default     = 30
}

variable "word_count_batch_size" {
  description = "Most count requests per word-count invocation."
  type        = number
  default     = 10

  validation {
    condition     = var.word_count_batch_size >= 1 && var.word_count_batch_size <= 10
    error_message = "word_count_batch_size must be between 1 and 10."
  }
}

variable "max_receive_count" {
  description = "Count attempts of a request before it is parked in the DLQ. runtime.quick_retries uses 2. Validated by the sqs-with-dlq module."
  type        = number
  default     = 3
}

variable "iterator_age_alarm_seconds" {
  description = "Alarm when the forwarder falls this far behind the table's stream."
  type        = number
  default     = 300
}

variable "log_level" {
  description = "Log level of the functions (DEBUG, INFO, WARN, ERROR). Validated by the lambda-function module."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "api_authorization" {
  description = "How callers of the notes API authenticate besides the API key: AWS_IAM (SigV4-signed requests; attach the invoke_policy_arn output to the callers) or NONE (the API key alone, which identifies a client but is not a secret worth the name). Validated by the apigw module."
  type        = string
  default     = "AWS_IAM"
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second for the API key."
  type        = number
  default     = 50
}

variable "throttle_burst_limit" {
  description = "Request burst for the API key."
  type        = number
  default     = 100
}

variable "deletion_protection" {
  description = "Protect the notes table from deletion."
  type        = bool
  default     = true
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
  description = "Where the pipeline runs (the same object in every pipeline). event_source_mappings_enabled = false creates the stream and count-queue mappings disabled: the local emulator's runtime polls them instead. quick_retries = true times the word count out after 3 s and parks a count request after 2 receives (instead of word_count_timeout and max_receive_count). Both are for the local emulator; AWS deployments keep the defaults."
  type        = object({ event_source_mappings_enabled = optional(bool, true), quick_retries = optional(bool, false) })
  default     = {}
  nullable    = false

  validation {
    condition     = !(var.runtime.quick_retries && var.runtime.event_source_mappings_enabled)
    error_message = "runtime.quick_retries (2 receives, 8 s apart) is for the local emulator, whose runtime polls the stream and queue itself: set event_source_mappings_enabled = false with it."
  }
}
