variable "name" {
  description = "Name of the state machine (also names its role and log group)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,60}$", var.name))
    error_message = "name may contain letters, digits, '-' and '_' (1-60 characters: the role is <name>-sfn, and IAM role names end at 64)."
  }
}

variable "definition" {
  description = "The Amazon States Language definition, rendered (e.g. templatefile() of a .asl.json file with the ARNs it calls). Keep it in JSONPath: the local interpreter ignores JSONata and Assign."
  type        = string

  validation {
    condition     = can(jsondecode(var.definition).StartAt) && can(jsondecode(var.definition).States)
    error_message = "definition must be a JSON state machine with StartAt and States."
  }
}

variable "kms_key_arn" {
  description = "CMK encrypting the definition, the execution history and the log group. Its key policy must let CloudWatch Logs use it for the log group (/aws/vendedlogs/states/<name>)."
  type        = string
}

variable "policy_statements" {
  description = "What the definition calls, and nothing more (Lambda functions it invokes, the table it writes, the bus it publishes to), in the lambda-function module's shape: sid, actions, resources, optional conditions. A wildcard in an action or resource needs a reason of at least 10 characters; a bare \"*\" is refused. Sids must be distinct and other than UseKeyForThisStateMachine and UseKeyForLogDelivery (the policy-document module refuses repeated sids). The module adds only the key (under this state machine's encryption context, and data keys for log delivery), log delivery and X-Ray."
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
    condition = alltrue([
      for s in var.policy_statements : !contains(concat(s.actions, s.resources), "*") && (
        length(trimspace(coalesce(s.reason, " "))) >= 10 || !anytrue([for v in concat(s.actions, s.resources) : strcontains(v, "*")])
      )
    ])
    error_message = "policy_statements: no bare \"*\", and a wildcard action or resource needs a reason (at least 10 characters)."
  }
}

variable "log_retention_days" {
  description = "Retention of the log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts."
  }
}

variable "tracing_enabled" {
  description = "Trace executions with X-Ray (the role gets the X-Ray write policy)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
