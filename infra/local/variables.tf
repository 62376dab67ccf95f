variable "emulator_endpoint" {
  description = "Base URL of the AWS emulator (moto in server mode) every AWS service is sent to."
  type        = string
  default     = "http://127.0.0.1:5000"

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost)(:[0-9]+)?$", var.emulator_endpoint))
    error_message = "emulator_endpoint must be a loopback URL: this configuration never talks to AWS."
  }
}

variable "artifacts_dir" {
  description = "Absolute path of the zips from `make build`."
  type        = string
}

variable "name_prefix" {
  description = "Prefix for every resource name."
  type        = string
  default     = "local"
}

variable "quick_retries" {
  description = "Shorten the wait between processing attempts (processor timeout 3 s, so visibility 19 s) and park a message after 2 attempts, so a poison message reaches the DLQ in about 40 s instead of 15 minutes."
  type        = bool
  default     = true
}
