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

variable "pipelines_enabled" {
  description = "Pipelines to deploy or leave out, by key (the keys of local.pipelines in infra/stack/main.tf, e.g. storage_first); a pipeline not named is deployed. E.g. { etl = false }."
  type        = map(bool)
  default     = {}
  nullable    = false
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
