variable "name" {
  description = "Table name."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, '_', '-' and '.'."
  }
}

variable "hash_key" {
  description = "Partition key attribute (string)."
  type        = string
}

variable "range_key" {
  description = "Sort key attribute (string); null for none."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "CMK encrypting the table (and its stream and backups)."
  type        = string
}

variable "stream_view_type" {
  description = "Enable a stream with this view type (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES); null for no stream."
  type        = string
  default     = null

  validation {
    condition     = var.stream_view_type == null ? true : contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], var.stream_view_type)
    error_message = "stream_view_type must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES."
  }
}

variable "ttl_attribute" {
  description = "Attribute holding an expiry time (epoch seconds); null for no TTL."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to delete the table (terraform destroy fails until this is turned off)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
