variable "name" {
  description = "Name of the REST API (also prefixes its role, key, usage plan and log group)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,100}$", var.name))
    error_message = "name may contain letters, digits, '-' and '_'."
  }
}

variable "path_part" {
  description = "Resource path of the API, e.g. \"messages\": POST /<path_part> for storage integrations, the collection for type = \"lambda\"."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]+$", var.path_part))
    error_message = "path_part must be one plain path segment."
  }
}

variable "stage_name" {
  description = "Name of the deployed stage."
  type        = string
  default     = "v1"
}

variable "integration" {
  description = <<-EOT
    What serves the API. Storage first, directly, with no Lambda in front (one route: POST /<path_part>):
      type = "sqs"      -> SendMessage to sqs_queue_arn (the request id travels as a message attribute);
                           sqs_max_message_size is the queue's MaximumMessageSize, quoted in the 400 for a body over it
      type = "s3"       -> PutObject to s3_bucket_name under s3_key_prefix, keyed by the request id
      type = "dynamodb" -> PutItem into dynamodb_table_name (partition key dynamodb_hash_key = request id), never overwriting
    Or a resource API served by one Lambda function (proxy integration):
      type = "lambda"   -> collection_methods on /<path_part> and, when item_path_parameter is set,
                           item_methods on /<path_part>/{<item_path_parameter>}, all invoking lambda_invoke_arn
  EOT
  type = object({
    type                 = string
    sqs_queue_arn        = optional(string)
    sqs_max_message_size = optional(number, 262144)
    s3_bucket_name       = optional(string)
    s3_key_prefix        = optional(string, "incoming/")
    dynamodb_table_name  = optional(string)
    dynamodb_hash_key    = optional(string, "pk")
    lambda_function_name = optional(string)
    lambda_invoke_arn    = optional(string)
    item_path_parameter  = optional(string)
    collection_methods   = optional(list(string), ["GET", "POST"])
    item_methods         = optional(list(string), ["GET", "PUT", "DELETE"])
  })

  validation {
    condition     = contains(["sqs", "s3", "dynamodb", "lambda"], var.integration.type)
    error_message = "integration.type must be sqs, s3, dynamodb or lambda."
  }

  validation {
    condition = (
      var.integration.type == "sqs" ? var.integration.sqs_queue_arn != null :
      var.integration.type == "s3" ? var.integration.s3_bucket_name != null :
      var.integration.type == "dynamodb" ? var.integration.dynamodb_table_name != null :
      var.integration.lambda_function_name != null && var.integration.lambda_invoke_arn != null
    )
    error_message = "Set sqs_queue_arn, s3_bucket_name, dynamodb_table_name or lambda_function_name + lambda_invoke_arn to match integration.type."
  }

  validation {
    condition = alltrue([
      for m in concat(var.integration.collection_methods, var.integration.item_methods) : contains(["GET", "POST", "PUT", "PATCH", "DELETE"], m)
    ])
    error_message = "collection_methods and item_methods may hold GET, POST, PUT, PATCH and DELETE."
  }

  validation {
    condition     = var.integration.item_path_parameter == null || can(regex("^[a-zA-Z][a-zA-Z0-9_]*$", coalesce(var.integration.item_path_parameter, "x")))
    error_message = "item_path_parameter must be a plain identifier (it becomes /<path_part>/{<item_path_parameter>})."
  }
}

variable "authorization" {
  description = "How callers authenticate on every route, in addition to the API key (which identifies the client for the usage plan): NONE (the API key only) or AWS_IAM (requests signed with SigV4; callers need execute-api:Invoke, e.g. through the invoke_policy_json output)."
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "AWS_IAM"], var.authorization)
    error_message = "authorization must be NONE or AWS_IAM."
  }
}

variable "target_kms_key_arn" {
  description = "CMK encrypting the storage target (queue, bucket or table), so the API's role may use it; null when the target uses an AWS owned key or for type = \"lambda\"."
  type        = string
  default     = null
}

variable "request_schema" {
  description = "JSON schema (draft 4) every request body (POST, PUT, PATCH) must satisfy before it reaches the integration. The default accepts any non-empty JSON object: deeper validation belongs to the processor, so nothing the API took is lost."
  type        = string
  default     = "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"object\",\"minProperties\":1}"

  validation {
    condition     = can(jsondecode(var.request_schema))
    error_message = "request_schema must be valid JSON."
  }
}

variable "request_model_name" {
  description = "Name of the API Gateway model holding request_schema (what the body is, e.g. \"Message\" or \"NoteInput\"): clients see it in the API's definition."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{1,128}$", var.request_model_name))
    error_message = "request_model_name must be 1-128 letters and digits (API Gateway model names are alphanumeric)."
  }
}

variable "max_body_depth" {
  description = "Most levels of objects and arrays a request body may nest (the body itself is level 1). A deeper body gets a 400 before it reaches the integration: the model is request_schema plus a generated draft-04 check of this depth. Processors then never meet a body they cannot walk without running out of stack."
  type        = number
  default     = 32

  validation {
    condition     = var.max_body_depth >= 1 && var.max_body_depth <= 100 && floor(var.max_body_depth) == var.max_body_depth
    error_message = "max_body_depth must be a whole number from 1 to 100."
  }
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second allowed for the API key (usage plan)."
  type        = number
  default     = 100
}

variable "throttle_burst_limit" {
  description = "Burst of requests allowed for the API key (usage plan)."
  type        = number
  default     = 200
}

variable "quota_limit_per_day" {
  description = "Requests per day allowed for the API key; null for no quota."
  type        = number
  default     = null
}

variable "kms_key_arn" {
  description = "CMK encrypting the access and execution log groups (its policy must let CloudWatch Logs use it for API-Gateway-Execution-Logs_<rest api id>/<stage> too)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the access and execution log groups."
  type        = number
  default     = 365
}

variable "logging_level" {
  description = "Execution logging level of the stage (OFF, ERROR, INFO). Needs the region's API Gateway account setting (a CloudWatch role), which this module leaves to its caller (one per account and region)."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.logging_level)
    error_message = "logging_level must be OFF, ERROR or INFO."
  }
}

variable "account_setting_id" {
  description = "ID of the region's API Gateway account setting (aws_api_gateway_account) the stage logs through, when the caller manages it: the stage is created after it. null when it is managed elsewhere."
  type        = string
  default     = null
}

variable "waf_web_acl_arn" {
  description = "WAFv2 web ACL to associate with the stage; null for none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
