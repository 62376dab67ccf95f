variable "name" {
  description = "Name of the network and the Redis replication group (its id): lowercase letters, digits and single hyphens, starting with a letter, at most 40 characters (ElastiCache's limit)."
  type        = string

  validation {
    condition     = can(regex("^[a-z](-?[a-z0-9])*$", var.name)) && length(var.name) <= 40
    error_message = "name must start with a lowercase letter and hold lowercase letters, digits and single hyphens, not ending with one (at most 40 characters)."
  }
}

variable "kms_key_arn" {
  description = "CMK that encrypts Redis at rest, the AUTH token secret and the log groups (flow logs, Redis slow and engine logs). Its policy must let CloudWatch Logs use it for the names in the log_group_names output."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC, /16 to /24; each availability zone gets one private subnet of an eighth of it."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /24 (e.g. 10.40.0.0/16)."
  }
}

variable "availability_zones" {
  description = "Availability zones of the private subnets (2 to 8, distinct): Redis places its nodes across them in this order (the first holds the primary) and fails over between them."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 8 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must list 2 to 8 distinct zones: multi-AZ failover needs at least two."
  }
}

variable "node_type" {
  description = "Node type of the Redis nodes (cache.*). Size it for the payloads in flight: up to 6 MB each, kept until their workflow deletes them (or the TTL)."
  type        = string
  default     = "cache.t4g.medium"

  validation {
    condition     = startswith(var.node_type, "cache.") && length(split(".", var.node_type)) == 3
    error_message = "node_type must be an ElastiCache node type such as cache.t4g.medium or cache.r7g.large."
  }
}

variable "num_cache_clusters" {
  description = "Number of Redis nodes, one primary and the rest replicas (2 to 6): automatic failover needs a replica."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 2 && var.num_cache_clusters <= 6 && floor(var.num_cache_clusters) == var.num_cache_clusters
    error_message = "num_cache_clusters must be a whole number from 2 to 6 (a primary and at least one replica for failover)."
  }
}

variable "engine_version" {
  description = "Redis engine version, 6.2 or 7.x (slow-log and engine-log delivery need 6.2); the parameter group's family follows it (redis6.x, redis7)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^(6\\.2|7\\.[0-9]+)$", var.engine_version))
    error_message = "engine_version must be 6.2 or 7.x (e.g. 7.1)."
  }
}

variable "port" {
  description = "Port Redis listens on."
  type        = number
  default     = 6379

  validation {
    condition     = var.port >= 1024 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number from 1024 to 65535."
  }
}

variable "log_retention_days" {
  description = "Retention of the flow-log and Redis log groups: at least a year (the provider checks it is a value CloudWatch Logs accepts: 365, 400, 545, 731, ...)."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 365
    error_message = "log_retention_days must be at least 365: flow logs and Redis logs are kept a year."
  }
}

variable "interface_endpoint_services" {
  description = "AWS services the functions reach through interface endpoints with private DNS (com.amazonaws.<region>.<service>); there is no NAT. S3 and DynamoDB always get gateway endpoints."
  type        = list(string)
  default     = ["states", "secretsmanager", "kms", "logs"]

  validation {
    condition     = alltrue([for s in var.interface_endpoint_services : can(regex("^[a-z0-9][a-z0-9.-]*$", s)) && !contains(["s3", "dynamodb"], s)]) && length(distinct(var.interface_endpoint_services)) == length(var.interface_endpoint_services)
    error_message = "interface_endpoint_services must be distinct service names such as states or secretsmanager (s3 and dynamodb have gateway endpoints already)."
  }
}

variable "endpoints_own_account_only" {
  description = "Endpoint policies that let requests through the VPC endpoints reach only this account's resources (aws:ResourceAccount): with no other way out, nothing in the VPC can write to another account's bucket or table. False writes the endpoints' default policy (full access)."
  type        = bool
  default     = true
}

variable "snapshot_retention_days" {
  description = "Days Redis keeps its daily snapshots (1-35)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1 && var.snapshot_retention_days <= 35 && floor(var.snapshot_retention_days) == var.snapshot_retention_days
    error_message = "snapshot_retention_days must be a whole number from 1 to 35."
  }
}

variable "final_snapshot" {
  description = "Take a final snapshot (<name>-final) when the replication group is destroyed: it may hold payloads not yet archived."
  type        = bool
  default     = true
}

variable "apply_immediately" {
  description = "Apply Redis changes at once instead of in the next maintenance window (a change of node type or version restarts nodes)."
  type        = bool
  default     = false
}

variable "secret_recovery_window_days" {
  description = "Days a deleted AUTH token secret can still be restored (0 deletes at once, else 7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or from 7 to 30."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
