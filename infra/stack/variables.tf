variable "name_prefix" {
  description = "Prefix for every pipeline's resources, so several stacks can share an account."
  type        = string
  default     = "ingest"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix may contain lower-case letters, digits and '-' (1-20 characters)."
  }
}

variable "artifacts_dir" {
  description = "Folder holding the zips build.mjs writes (<pipeline>-<handler>.zip)."
  type        = string
}

variable "enable_storage_first" {
  description = "Deploy the storage-first pipeline (API -> SQS -> processor, DLQ, redrive)."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Emails subscribed to every pipeline's alarm topic."
  type        = list(string)
  default     = []
}

variable "manage_account_logging_role" {
  description = "Create the account-wide API Gateway CloudWatch logging role. Exactly one stack per account and region should."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "event_source_mappings_enabled" {
  description = "Whether Lambda event source mappings poll their sources. Only the local emulator setup turns them off (its own runtime polls instead)."
  type        = bool
  default     = true
}

variable "storage_first_processor_timeout" {
  description = "Processor timeout in seconds; the queue's visibility timeout (the wait between attempts) follows from it."
  type        = number
  default     = 30
}

variable "storage_first_max_receive_count" {
  description = "Processing attempts before a storage-first message is parked in the DLQ."
  type        = number
  default     = 5
}

variable "enable_etl" {
  description = "Deploy the serverless ETL pipeline (S3 CSV -> DynamoDB, quarantine, sweeper)."
  type        = bool
  default     = true
}

variable "enable_notes" {
  description = "Deploy the notes pipeline (notes API -> table stream -> SQS -> word count)."
  type        = bool
  default     = true
}

variable "notes_quick_retries" {
  description = "Short retry settings for the notes pipeline (word-count timeout 3 s, 2 receives before the DLQ); for the local emulator, where waiting minutes for a DLQ helps nobody."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Deletion protection of the pipelines' DynamoDB tables."
  type        = bool
  default     = true
}

variable "etl_loader_timeout" {
  description = "ETL loader timeout in seconds."
  type        = number
  default     = 300
}
