variable "name" {
  description = "Name of the custom event bus; rules are <name>-<rule key>, the archive is named after the bus (first 48 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]{1,200}$", var.name))
    error_message = "name may contain letters, digits, '.', '-' and '_' (1-200 characters)."
  }
}

variable "kms_key_arn" {
  description = "CMK encrypting the events on the bus, the rules' patterns and the targets' input; null keeps the AWS owned key. Its key policy must let events.amazonaws.com use it (kms:DescribeKey, kms:GenerateDataKey, kms:Decrypt), and so must the key of every encrypted SQS target."
  type        = string
  default     = null
}

variable "create_bus" {
  description = "Create the custom bus. false for a caller with schedules only (they run on the default bus): rules, archive and kms_key_arn need the bus, so they must be left out."
  type        = bool
  default     = true
  nullable    = false
}

variable "dead_letter_arn" {
  description = "SQS queue for events the bus cannot encrypt or decrypt with kms_key_arn (AWS recommends one with a CMK), and the dead-letter queue of every target (of rules and schedules) that names none; its policy must let events.amazonaws.com send (for the bus's and the rules' ARNs). Null for none: then every target needs its own."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_arn == null || can(regex("^arn:[a-z-]+:sqs:", var.dead_letter_arn))
    error_message = "dead_letter_arn must be an SQS queue ARN."
  }
}

variable "rules" {
  description = <<-EOT
    Rules on the bus, keyed by a short name, each with an event_pattern (JSON) and its targets keyed by
    target id. A target is an ARN (an SQS queue, a Lambda function, another bus...) with a dead_letter_arn
    (an SQS queue whose policy lets events.amazonaws.com send, for the rule's ARN; the module's
    dead_letter_arn when null) that receives what cannot be delivered after maximum_retry_attempts
    (0-185) or maximum_event_age_seconds (60-86400).
    Optional: input (constant JSON), input_path or input_transformer (input_paths, input_template) to
    reshape the event,
    message_group_id for a FIFO queue, role_arn for targets that need one (another bus, Kinesis),
    lambda_permission = true for a Lambda function target: the module adds the permission letting this
    rule (and only it) invoke the function (a flag, because the ARN of a function created in the same
    apply is unknown when Terraform plans). Other resource policies (a queue policy) belong to the
    caller: the rule_arns output names the source ARN to allow.
  EOT
  type = map(object({
    description   = optional(string, "")
    event_pattern = string
    enabled       = optional(bool, true)
    targets = map(object({
      arn                       = string
      dead_letter_arn           = optional(string)
      maximum_retry_attempts    = optional(number, 185)
      maximum_event_age_seconds = optional(number, 86400)
      input                     = optional(string)
      input_path                = optional(string)
      input_transformer = optional(object({
        input_paths    = optional(map(string), {})
        input_template = string
      }))
      message_group_id  = optional(string)
      role_arn          = optional(string)
      lambda_permission = optional(bool, false)
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for k, r in var.rules : can(regex("^[a-zA-Z0-9._-]{1,40}$", k)) && can(jsondecode(r.event_pattern))])
    error_message = "rules: keys are 1-40 letters, digits, '.', '-' and '_'; event_pattern must be JSON."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for k, t in r.targets : can(regex("^[a-zA-Z0-9._-]{1,64}$", k)) && (t.dead_letter_arn == null || can(regex("^arn:[a-z-]+:sqs:", t.dead_letter_arn)))]]))
    error_message = "rules: target keys are 1-64 letters, digits, '.', '-' and '_' (the target id); a target's dead_letter_arn names an SQS queue."
  }

  validation {
    condition = alltrue(flatten([for r in values(var.rules) : [for t in values(r.targets) :
      t.maximum_retry_attempts >= 0 && t.maximum_retry_attempts <= 185 && t.maximum_event_age_seconds >= 60 && t.maximum_event_age_seconds <= 86400 &&
      length([for set in [t.input != null, t.input_path != null, t.input_transformer != null] : set if set]) <= 1 && (t.input == null || can(jsondecode(coalesce(t.input, "{}"))))
    ]]))
    error_message = "rules: maximum_retry_attempts must be 0-185, maximum_event_age_seconds 60-86400, and a target takes at most one of input (JSON), input_path and input_transformer."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.rules) : [for t in values(r.targets) : can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:", t.arn)) if t.lambda_permission]]))
    error_message = "rules: lambda_permission = true is for Lambda function targets (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  }
}

variable "schedules" {
  description = <<-EOT
    Scheduled rules, keyed by a short name (distinct from the rules' keys): <name>-<key> on the default
    bus (the only bus schedules run on), each with a schedule_expression, rate(value unit) or
    cron(minutes hours day-of-month month day-of-week year) in UTC, and one to five targets shaped like
    the rules' targets (a dead-letter queue each, the module's by default; input for a constant JSON
    payload). The scheduled event is delivered with the same retry policy, and a Lambda target with
    lambda_permission = true may be invoked by this rule only.
  EOT
  type = map(object({
    description         = optional(string, "")
    schedule_expression = string
    enabled             = optional(bool, true)
    targets = map(object({
      arn                       = string
      dead_letter_arn           = optional(string)
      maximum_retry_attempts    = optional(number, 185)
      maximum_event_age_seconds = optional(number, 86400)
      input                     = optional(string)
      input_path                = optional(string)
      input_transformer = optional(object({
        input_paths    = optional(map(string), {})
        input_template = string
      }))
      message_group_id  = optional(string)
      role_arn          = optional(string)
      lambda_permission = optional(bool, false)
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition = alltrue([for k, s in var.schedules :
      can(regex("^[a-zA-Z0-9._-]{1,40}$", k)) && length(s.targets) >= 1 && length(s.targets) <= 5 &&
      can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\([^ ()]+( [^ ()]+){5}\\))$", s.schedule_expression))
    ])
    error_message = "schedules: keys are 1-40 letters, digits, '.', '-' and '_'; each has 1-5 targets and a schedule_expression rate(1 minute|hour|day), rate(N minutes|hours|days) or cron() with six fields."
  }

  validation {
    condition = alltrue(flatten([for s in values(var.schedules) : [for k, t in s.targets :
      can(regex("^[a-zA-Z0-9._-]{1,64}$", k)) && (t.dead_letter_arn == null || can(regex("^arn:[a-z-]+:sqs:", t.dead_letter_arn))) &&
      t.maximum_retry_attempts >= 0 && t.maximum_retry_attempts <= 185 && t.maximum_event_age_seconds >= 60 && t.maximum_event_age_seconds <= 86400 &&
      length([for set in [t.input != null, t.input_path != null, t.input_transformer != null] : set if set]) <= 1 && (t.input == null || can(jsondecode(coalesce(t.input, "{}")))) &&
      (!t.lambda_permission || can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:", t.arn)))
    ]]))
    error_message = "schedules: target keys are 1-64 letters, digits, '.', '-' and '_'; dead_letter_arn names an SQS queue; maximum_retry_attempts 0-185, maximum_event_age_seconds 60-86400; at most one of input (JSON), input_path and input_transformer; lambda_permission only for a Lambda function ARN."
  }
}

variable "archive" {
  description = "Archive of the bus's events: retention_days (0 keeps them forever) and an optional event_pattern (JSON) to archive only some. Null for no archive (required with create_bus = false)."
  type = object({
    retention_days = optional(number, 30)
    event_pattern  = optional(string)
  })
  default = {}

  validation {
    condition     = var.archive == null ? true : var.archive.retention_days >= 0 && (var.archive.event_pattern == null || can(jsondecode(coalesce(var.archive.event_pattern, "{}"))))
    error_message = "archive: retention_days must be >= 0 (0 = forever) and event_pattern JSON."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
