variable "name" {
  description = "Name of the key; the alias is alias/<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.name))
    error_message = "name may contain letters, digits, '/', '_' and '-' (1-250 characters)."
  }
}

variable "description" {
  description = "What the key protects."
  type        = string
}

variable "service_principals" {
  description = "AWS service principals (e.g. sqs.amazonaws.com, sns.amazonaws.com) allowed to use the key for data keys and decryption on behalf of this account's resources."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", p))])
    error_message = "service_principals must be service principals such as sqs.amazonaws.com."
  }
}

variable "allow_cloudwatch_logs" {
  description = "Allow CloudWatch Logs in this region to encrypt log groups of this account with the key."
  type        = bool
  default     = true
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion of the key takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
