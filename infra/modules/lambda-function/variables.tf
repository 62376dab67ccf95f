variable "function_name" {
  description = "Name of the Lambda function."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name may contain letters, digits, '-' and '_' (1-64 characters)."
  }
}

variable "description" {
  description = "What the function does."
  type        = string
  default     = ""
}

variable "artifact_path" {
  description = "Path of the deployment zip produced by build.mjs (dist/<pipeline>-<handler>.zip)."
  type        = string
}

variable "handler" {
  description = "Handler inside the zip. build.mjs writes index.js exporting handler."
  type        = string
  default     = "index.handler"
}

variable "runtime" {
  description = "Lambda runtime. nodejs20.x is deprecated; the bundles target node20 so they run on both."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = contains(["nodejs22.x", "nodejs24.x"], var.runtime)
    error_message = "runtime must be a supported Node.js runtime: nodejs22.x or nodejs24.x."
  }
}

variable "architecture" {
  description = "Instruction set: arm64 (cheaper) or x86_64. The bundles are pure JavaScript."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout in seconds."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "environment" {
  description = "Environment variables (no secrets: use Secrets Manager and pass its ARN). The module sets POWERTOOLS_SERVICE_NAME to the function name (and POWERTOOLS_LOG_LEVEL from log_level); a value given here wins."
  type        = map(string)
  default     = {}
}

variable "log_level" {
  description = "Powertools log level of the function (POWERTOOLS_LOG_LEVEL: DEBUG, INFO, WARN, ERROR); null leaves Powertools' default (INFO)."
  type        = string
  default     = null

  validation {
    condition     = var.log_level == null || contains(["DEBUG", "INFO", "WARN", "ERROR"], coalesce(var.log_level, "INFO"))
    error_message = "log_level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "kms_key_arn" {
  description = "CMK that encrypts the environment variables and the log group."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; null leaves the function unreserved (event source mappings bound it with maximum_concurrency instead)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null ? true : var.reserved_concurrent_executions >= 0
    error_message = "reserved_concurrent_executions must be null or >= 0."
  }
}

variable "dead_letter_target_arn" {
  description = "SQS queue or SNS topic for failed asynchronous invocations. Not used by event source mappings (their source queue or on-failure destination is the DLQ)."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null || can(regex("^arn:[a-z-]+:(sqs|sns):", var.dead_letter_target_arn))
    error_message = "dead_letter_target_arn must be the ARN of an SQS queue or an SNS topic."
  }
}

variable "async_on_failure" {
  description = "For functions invoked asynchronously (a schedule, S3 or SNS events): the SQS queue or SNS topic (destination_arn) that receives an invocation that failed maximum_retry_attempts retries (0-2) or waited longer than maximum_event_age_seconds (60-21600), with the event and the error. The role may send there. Null sets no destination. Not used by event source mappings."
  type = object({
    destination_arn           = string
    maximum_retry_attempts    = optional(number, 2)
    maximum_event_age_seconds = optional(number, 3600)
  })
  default = null

  validation {
    condition     = var.async_on_failure == null ? true : can(regex("^arn:[a-z-]+:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_.-]+$", var.async_on_failure.destination_arn))
    error_message = "async_on_failure.destination_arn must be the ARN of an SQS queue or an SNS topic."
  }

  validation {
    condition     = var.async_on_failure == null ? true : var.async_on_failure.maximum_retry_attempts >= 0 && var.async_on_failure.maximum_retry_attempts <= 2
    error_message = "async_on_failure.maximum_retry_attempts must be between 0 and 2."
  }

  validation {
    condition     = var.async_on_failure == null ? true : var.async_on_failure.maximum_event_age_seconds >= 60 && var.async_on_failure.maximum_event_age_seconds <= 21600
    error_message = "async_on_failure.maximum_event_age_seconds must be between 60 and 21600."
  }
}

variable "event_source_mapping" {
  description = <<-EOT
    Event source mappings that feed the function, keyed by a short name (SQS queues, DynamoDB streams). The role is granted what each mapping calls: reading its source (statement
    EventSource<Name>) and sending to destination_on_failure (OnFailure<Name>). function_response_types
    defaults to partial batch failures; filter_patterns are Lambda event filter patterns (JSON); the stream
    settings (starting_position, bisect_batch_on_function_error, maximum_retry_attempts,
    maximum_record_age_in_seconds, destination_on_failure) apply to streams only; maximum_concurrency to
    SQS only. enabled = false keeps a mapping that does not poll (the local runtime polls instead).
  EOT
  type = map(object({
    event_source_arn                   = string
    enabled                            = optional(bool, true)
    batch_size                         = optional(number)
    maximum_batching_window_in_seconds = optional(number)
    function_response_types            = optional(list(string), ["ReportBatchItemFailures"])
    filter_patterns                    = optional(list(string), [])
    maximum_concurrency                = optional(number)
    starting_position                  = optional(string)
    bisect_batch_on_function_error     = optional(bool)
    maximum_retry_attempts             = optional(number)
    maximum_record_age_in_seconds      = optional(number)
    destination_on_failure             = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for m in values(var.event_source_mapping) : contains(["sqs", "dynamodb"], try(split(":", m.event_source_arn)[2], ""))])
    error_message = "event_source_mapping: event_source_arn must be an SQS queue or a DynamoDB stream ARN."
  }

  validation {
    condition = alltrue([
      for m in values(var.event_source_mapping) :
      try(split(":", m.event_source_arn)[2], "") == "sqs" ? m.starting_position == null && m.destination_on_failure == null : m.starting_position != null && m.maximum_concurrency == null
    ])
    error_message = "event_source_mapping: streams need a starting_position (TRIM_HORIZON or LATEST) and take no maximum_concurrency; SQS sources take neither a starting_position nor a destination_on_failure (their DLQ is the queue's redrive policy)."
  }

  validation {
    condition     = alltrue([for m in values(var.event_source_mapping) : m.destination_on_failure == null || can(regex("^arn:[a-z-]+:(sqs|sns):", m.destination_on_failure))])
    error_message = "event_source_mapping: destination_on_failure must be an SQS queue or SNS topic ARN."
  }

  validation {
    condition     = alltrue([for k in keys(var.event_source_mapping) : can(regex("^[a-zA-Z][a-zA-Z0-9_-]*$", k))])
    error_message = "event_source_mapping keys must start with a letter and hold letters, digits, '-' and '_' (they name the IAM statements)."
  }
}

variable "vpc" {
  description = "Runs the function in a VPC: its private subnets (two or more zones, for availability) and security groups. The role is then granted the network-interface calls Lambda makes with it (statements VpcDescribe, VpcCreateNetworkInterface, VpcManageNetworkInterfaces), limited to these subnets and groups where EC2 allows. Null keeps the function out of any VPC (no ENI cold start, no NAT needed)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc == null ? true : length(var.vpc.subnet_ids) > 0 && length(var.vpc.security_group_ids) > 0 && length(var.vpc.security_group_ids) <= 5
    error_message = "vpc needs at least one subnet and one to five security groups."
  }
}

variable "code_signing_config_arn" {
  description = "Code signing configuration to enforce signed artifacts (AWS Signer)."
  type        = string
  default     = null
}

variable "policy_statements" {
  description = "Least-privilege IAM statements for what the code calls: each names its actions and resources. A wildcard (an action such as `sqs:*` or `s3:Get*`, a resource containing `*` such as `arn:aws:s3:::bucket/incoming/*`) is accepted only with a `reason` saying why it is needed (at least 10 characters; IAM has no field for it, it documents the grant where it is made). A bare `*` action or resource is always refused."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    reason    = optional(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : !contains(s.actions, "*") && !contains(s.resources, "*")])
    error_message = "policy_statements must name their actions and resources: no \"*\"."
  }

  validation {
    condition = alltrue([
      for s in var.policy_statements :
      length(trimspace(s.reason == null ? "" : s.reason)) >= 10
      if anytrue([for a in concat(s.actions, s.resources) : strcontains(a, "*")])
    ])
    error_message = "policy_statements with a wildcard action (e.g. \"sqs:*\") or a resource containing \"*\" need a reason saying why (at least 10 characters): ${join(", ", [for s in var.policy_statements : s.sid if anytrue([for a in concat(s.actions, s.resources) : strcontains(a, "*")]) && length(trimspace(s.reason == null ? "" : s.reason)) < 10])}."
  }

  validation {
    condition     = length(distinct([for s in var.policy_statements : s.sid])) == length(var.policy_statements)
    error_message = "policy_statements need distinct sids."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
