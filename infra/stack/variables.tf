variable "name_prefix" {
  description = "Prefix for every pipeline's resources, so several stacks can share an account."
  type        = string
  default     = "ingest"

  validation {
    # Redis replication group ids (reliable messaging) must start with a letter and have no '--'.
    condition     = can(regex("^[a-z]([a-z0-9]|-[a-z0-9])*$", var.name_prefix)) && length(var.name_prefix) <= 20
    error_message = "name_prefix: lower-case letters, digits and single '-' between them, starting with a letter (1-20 characters)."
  }
}

variable "artifacts_dir" {
  description = "Folder holding the zips build.mjs writes (<pipeline>-<handler>.zip)."
  type        = string
}

variable "pipelines_enabled" {
  description = "Pipelines to deploy or leave out, by key (the keys of local.pipelines in main.tf, e.g. storage_first); a pipeline not named is deployed. E.g. { etl = false }."
  type        = map(bool)
  default     = {}
  nullable    = false
}

variable "alarm_emails" {
  description = "Emails subscribed to every pipeline's alarm topic."
  type        = list(string)
  default     = []
}

variable "manage_account_logging_role" {
  description = "Create API Gateway's account setting for this region and the role it names (the one that lets every REST API of the account write execution and access logs). Exactly one stack per account and region should; the others set false."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Deletion protection of the pipelines' DynamoDB tables."
  type        = bool
  default     = true
}

variable "runtime" {
  description = "Where the pipelines run, passed to each (their runtime variable says what it changes there, and refuses quick retries with polling mappings): only infra/local sets it, to event_source_mappings_enabled = false (its runtime polls instead) and quick_retries = var.quick_retries (true by default there: short timeouts and receive counts)."
  type        = object({ event_source_mappings_enabled = optional(bool, true), quick_retries = optional(bool, false) })
  default     = {}
  nullable    = false
}
