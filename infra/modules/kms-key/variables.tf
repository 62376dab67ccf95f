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
  description = "Allow CloudWatch Logs in this region to encrypt the log groups named by log_group_name_patterns with the key."
  type        = bool
  default     = true
}

variable "log_group_name_patterns" {
  description = "With allow_cloudwatch_logs: names of the log groups CloudWatch Logs may encrypt with the key (IAM wildcards * and ? allowed). Null: those named after the key, /aws/lambda/<name>-*, /aws/apigateway/<name>-* and API Gateway execution logs (API-Gateway-Execution-Logs_*, named by REST API id)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.log_group_name_patterns == null ? true : length(var.log_group_name_patterns) > 0 && alltrue([for p in var.log_group_name_patterns : can(regex("^[A-Za-z0-9_/.#*?-]{1,512}$", p)) && trimspace(replace(replace(p, "*", ""), "?", "")) != "" && !contains(["*", "/*"], p)])
    error_message = "log_group_name_patterns must be log group names or patterns that name something (not \"*\"); use null for the default."
  }
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
