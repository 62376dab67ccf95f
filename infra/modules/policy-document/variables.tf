variable "statements" {
  description = "Statements of the policy, in order. effect defaults to Allow; principals (type and identifiers) only in resource policies (queue, bucket, topic); conditions are ANDed."
  type = list(object({
    sid       = string
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    principals = optional(object({
      type        = string
      identifiers = list(string)
    }))
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.statements : contains(["Allow", "Deny"], s.effect)])
    error_message = "statements: effect must be Allow or Deny."
  }

  validation {
    condition     = length(distinct([for s in var.statements : s.sid])) == length(var.statements)
    error_message = "statements need distinct sids."
  }
}

variable "deny_insecure_transport" {
  description = "For a resource policy: deny every action of service (e.g. \"sqs\" -> sqs:*: reading, writing and changing the policy too) on resources to every request not sent over TLS (aws:SecureTransport false). It comes first, before statements. Null adds nothing."
  type = object({
    service   = string
    resources = list(string)
  })
  default = null

  validation {
    condition     = var.deny_insecure_transport == null || can(regex("^[a-z0-9-]+$", var.deny_insecure_transport.service))
    error_message = "deny_insecure_transport.service is a service prefix such as sqs, s3 or sns."
  }
}
