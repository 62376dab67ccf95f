variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix for every resource name."
  type        = string
  default     = "ingest"
}

variable "artifacts_dir" {
  description = "Folder of the zips from `make build`, relative to infra/ or absolute."
  type        = string
  default     = "../dist"
}

variable "enable_storage_first" {
  description = "Deploy the storage-first pipeline."
  type        = bool
  default     = true
}

variable "enable_etl" {
  description = "Deploy the serverless ETL pipeline."
  type        = bool
  default     = true
}

variable "enable_notes" {
  description = "Deploy the notes pipeline (notes API, table stream, word count)."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Emails subscribed to the alarm topics."
  type        = list(string)
  default     = []
}

variable "manage_account_logging_role" {
  description = "Create the account-wide API Gateway CloudWatch logging role (set false if another stack in this account and region does)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = { project = "reliable-serverless-ingestion" }
}
