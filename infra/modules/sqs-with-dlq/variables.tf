variable "name" {
  description = "Name of the source queue; the DLQ is <name>-dlq. For FIFO queues give the name without the .fifo suffix."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,70}$", var.name))
    error_message = "name may contain letters, digits, '-' and '_' (1-70 characters, no .fifo suffix)."
  }
}

variable "fifo" {
  description = "Create FIFO queues (both the source and its DLQ)."
  type        = bool
  default     = false
}

variable "content_based_deduplication" {
  description = "FIFO only: deduplicate on a SHA-256 of the body when the sender gives no deduplication id."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "CMK for server-side encryption; null uses SQS-managed SSE."
  type        = string
  default     = null
}

variable "kms_data_key_reuse_period_seconds" {
  description = "How long SQS reuses a data key before calling KMS again."
  type        = number
  default     = 300

  validation {
    condition     = var.kms_data_key_reuse_period_seconds >= 60 && var.kms_data_key_reuse_period_seconds <= 86400
    error_message = "kms_data_key_reuse_period_seconds must be between 60 and 86400."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the source queue: at least six times the consumer's timeout (plus its batching window) as AWS recommends for Lambda."
  type        = number
  default     = 180

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 0 and 43200."
  }
}

variable "create_dlq" {
  description = "Create the dead-letter queue and its redrive. Turn off only for a queue that is itself a last stop nothing consumes (e.g. an on-failure destination read by people)."
  type        = bool
  default     = true
}

variable "message_retention_seconds" {
  description = "Retention on the source queue. null: 4 days with a DLQ (which keeps failures longer), 14 days (the most SQS keeps) without one: a queue with no DLQ is the last stop, read by people."
  type        = number
  default     = null

  validation {
    condition     = var.message_retention_seconds == null || (coalesce(var.message_retention_seconds, 60) >= 60 && coalesce(var.message_retention_seconds, 60) <= 1209600)
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "dlq_message_retention_seconds" {
  description = "Retention on the DLQ. A message keeps its original enqueue time when it moves to a DLQ, so this must exceed the source retention or it could expire on arrival."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "max_message_size" {
  description = "Largest message accepted, in bytes."
  type        = number
  default     = 262144

  validation {
    condition     = var.max_message_size >= 1024 && var.max_message_size <= 1048576
    error_message = "max_message_size must be between 1024 and 1048576 bytes."
  }
}

variable "receive_wait_time_seconds" {
  description = "Long polling wait of ReceiveMessage."
  type        = number
  default     = 20

  validation {
    condition     = var.receive_wait_time_seconds >= 0 && var.receive_wait_time_seconds <= 20
    error_message = "receive_wait_time_seconds must be between 0 and 20."
  }
}

variable "max_receive_count" {
  description = "Receives before a message moves to the DLQ. Above 1 so a throttled or timed-out batch is retried before it is parked."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "source_policy_statements" {
  description = "Extra statements for the source queue policy (e.g. let S3, EventBridge or SNS send). The module always adds a TLS-only deny."
  type = list(object({
    sid     = string
    actions = list(string)
    principals = object({
      type        = string
      identifiers = list(string)
    })
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
