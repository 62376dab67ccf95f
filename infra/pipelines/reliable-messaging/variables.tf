variable "name" {
  description = "Prefix for every resource of this pipeline; also the Redis replication group id and the bus name."
  type        = string
  default     = "reliable-messaging"

  validation {
    # ElastiCache's rules for the replication group id (at most 40), which also keep the bucket names
    # (<name>-salvage-<account id>) within S3's 63 characters.
    condition     = can(regex("^[a-z](-?[a-z0-9])*$", var.name)) && length(var.name) <= 40
    error_message = "name must start with a lowercase letter and hold lowercase letters, digits and single hyphens, not ending with one (at most 40 characters)."
  }
}

variable "artifact_paths" {
  description = "Zips of the four handlers build.mjs writes: dist/reliable-messaging-{ingest,archive,cleanup,salvage}.zip."
  type = object({
    ingest  = string
    archive = string
    cleanup = string
    salvage = string
  })
}

variable "availability_zones" {
  description = "Availability zones of the private subnets and the Redis nodes (the first holds the primary); empty: the region's first two."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  description = "IPv4 range of the pipeline's VPC (private subnets only, no NAT). Validated by the elasticache-vpc module."
  type        = string
  default     = "10.40.0.0/16"
}

variable "redis_node_type" {
  description = "Redis node type. Messages wait in Redis up to the workflow's duration (6 MB at most each): size memory for the peak rate times that duration, e.g. 100 messages/s of 1 MB that take 5 s need 500 MB plus headroom. Validated by the elasticache-vpc module."
  type        = string
  default     = "cache.t4g.medium"
}

variable "redis_num_cache_clusters" {
  description = "Redis nodes: a primary and replicas in other zones (automatic failover needs one). Validated by the elasticache-vpc module (2-6)."
  type        = number
  default     = 2
}

variable "redis_memory_alarm_percent" {
  description = "Alarm when a Redis node uses more than this share of its memory (with noeviction, new messages are refused, and salvaged, when it is full)."
  type        = number
  default     = 75

  validation {
    condition     = var.redis_memory_alarm_percent > 0 && var.redis_memory_alarm_percent < 100
    error_message = "redis_memory_alarm_percent must be between 0 and 100."
  }
}

variable "salvage_noncurrent_days" {
  description = "Days the salvage bucket keeps the versions replay leaves behind when it moves an object under replayed/ (salvaged objects themselves never expire)."
  type        = number
  default     = 30
}

variable "event_archive_days" {
  description = "Days the event bus archive keeps the aggregates (replayable to subscribers); 0 keeps them forever. Validated by the eventbridge module."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "Log level of the functions (DEBUG, INFO, WARN, ERROR). Validated by the lambda-function module."
  type        = string
  default     = "INFO"
  nullable    = false
}

variable "api_authorization" {
  description = "How callers of the messages API authenticate besides the API key: AWS_IAM (SigV4-signed requests; attach the invoke_policy_arn of the summary to the callers) or NONE (the API key alone). Validated by the apigw module."
  type        = string
  default     = "AWS_IAM"
}

variable "deletion_protection" {
  description = "Protect the metadata table from deletion."
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
  description = "Where the pipeline runs (the same object in every pipeline). This pipeline has no event source mappings (the API invokes ingest, the state machine the other functions). quick_retries = true gives up delivering an aggregate to the subscriber queue after 2 retries or 60 s (instead of 185 retries over 24 h), so a refused delivery reaches the delivery-failures queue while the local emulator runs."
  type        = object({ event_source_mappings_enabled = optional(bool, true), quick_retries = optional(bool, false) })
  default     = {}
  nullable    = false

  validation {
    condition     = !(var.runtime.quick_retries && var.runtime.event_source_mappings_enabled)
    error_message = "runtime.quick_retries is for the local emulator, which sets event_source_mappings_enabled = false with it."
  }
}
