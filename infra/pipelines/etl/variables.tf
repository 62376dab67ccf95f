variable "name" {
  description = "Prefix for every resource of this pipeline (also the start of the bucket name)."
  type        = string
  default     = "etl"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,40}$", var.name))
    error_message = "name may contain lower-case letters, digits and '-' (1-40 characters)."
  }
}

variable "loader_artifact_path" {
  description = "Zip of the loader handler (dist/etl-loader.zip)."
  type        = string
}

variable "sweeper_artifact_path" {
  description = "Zip of the sweeper handler (dist/etl-sweeper.zip)."
  type        = string
}

variable "loader_timeout" {
  description = "Loader timeout in seconds. A file that takes longer continues in a new invocation. runtime.quick_retries uses 60."
  type        = number
  default     = 300

  validation {
    condition     = var.loader_timeout >= 30 && var.loader_timeout <= 900
    error_message = "loader_timeout must be between 30 and 900 seconds."
  }
}

variable "loader_memory_size" {
  description = "Loader memory in MB (also buys CPU for parsing)."
  type        = number
  default     = 1024
}

variable "safety_margin_seconds" {
  description = "When less than this is left, the loader checkpoints and continues in a new invocation."
  type        = number
  default     = 30
}

variable "max_file_attempts" {
  description = "Loads of the same file version that may fail before it is marked failed in the ledger (a terminal state the sweeper leaves alone), counted in FilesFailed and alarmed."
  type        = number
  default     = 3

  validation {
    condition     = var.max_file_attempts >= 1 && var.max_file_attempts <= 100 && floor(var.max_file_attempts) == var.max_file_attempts
    error_message = "max_file_attempts must be a whole number between 1 and 100."
  }
}

variable "busy_retry_delay_seconds" {
  description = "When another invocation is loading the same key, the loader re-queues the file with this SQS delay instead of failing (and ending in the DLQ)."
  type        = number
  default     = 60

  validation {
    condition     = var.busy_retry_delay_seconds >= 0 && var.busy_retry_delay_seconds <= 900 && floor(var.busy_retry_delay_seconds) == var.busy_retry_delay_seconds
    error_message = "busy_retry_delay_seconds must be a whole number between 0 and 900 (the SQS delay limit)."
  }
}

variable "maximum_concurrency" {
  description = "Most files loaded at once (protects the table's write capacity)."
  type        = number
  default     = 5

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be between 2 and 1000."
  }
}

variable "max_receive_count" {
  description = "Load attempts of a notification before it is parked in the DLQ."
  type        = number
  default     = 3
}

variable "sweep_schedule" {
  description = "How often the sweeper looks for files in incoming/ that were never loaded."
  type        = string
  default     = "rate(15 minutes)"
}

variable "sweep_min_age_seconds" {
  description = "The sweeper leaves files younger than this to their own notification."
  type        = number
  default     = 900
}

variable "rejected_ratio_alarm_percent" {
  description = "Alarm when a file has more than this share of rejected rows."
  type        = number
  default     = 5
}

variable "alarm_emails" {
  description = "Emails subscribed to the pipeline's alarm topic."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Deletion protection of the tables."
  type        = bool
  default     = true
}

variable "runtime" {
  description = "Where the pipeline runs (the same object in every pipeline). event_source_mappings_enabled = false creates the loader's event source mapping disabled: the local emulator's runtime polls the queue instead. quick_retries = true times the loader out after 60 s instead of loader_timeout. Both are for the local emulator; AWS deployments keep the defaults."
  type        = object({ event_source_mappings_enabled = optional(bool, true), quick_retries = optional(bool, false) })
  default     = {}
  nullable    = false

  validation {
    condition     = !(var.runtime.quick_retries && var.runtime.event_source_mappings_enabled)
    error_message = "runtime.quick_retries (a 60 s loader) is for the local emulator, whose runtime polls the file queue itself: set event_source_mappings_enabled = false with it."
  }
}
