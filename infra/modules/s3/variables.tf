variable "name" {
  description = "Bucket name (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be a valid S3 bucket name."
  }
}

variable "kms_key_arn" {
  description = "CMK for default encryption (SSE-KMS with an S3 bucket key)."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept under noncurrent_version_expiration_prefixes (versioning is always on; elsewhere versions are kept)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "noncurrent_version_expiration_prefixes" {
  description = "Key prefixes whose noncurrent versions expire after noncurrent_version_expiration_days, one lifecycle rule each (every rule, and one for the whole bucket, also aborts multipart uploads left incomplete for 7 days). [\"\"] is the whole bucket; [] expires nothing. Leave out every prefix that holds versions still waiting to be processed (a hidden version there is not garbage)."
  type        = list(string)
  default     = [""]

  validation {
    condition     = length(distinct(var.noncurrent_version_expiration_prefixes)) == length(var.noncurrent_version_expiration_prefixes)
    error_message = "noncurrent_version_expiration_prefixes must not repeat a prefix."
  }

  validation {
    condition = alltrue([
      for a in var.noncurrent_version_expiration_prefixes : alltrue([
        for b in var.noncurrent_version_expiration_prefixes : a == b || !startswith(b, a)
      ])
    ])
    error_message = "noncurrent_version_expiration_prefixes must not overlap (\"\" is the whole bucket and stands alone; \"a/\" already covers \"a/b/\")."
  }

  validation {
    condition     = alltrue([for p in var.noncurrent_version_expiration_prefixes : !startswith(p, "/") && length(p) <= 200])
    error_message = "noncurrent_version_expiration_prefixes are key prefixes: no leading \"/\", at most 200 characters."
  }
}

variable "access_log_bucket" {
  description = "Bucket receiving S3 server access logs; null for none (CloudTrail data events are the alternative)."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a bucket that still holds objects. Keep false for real data."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
