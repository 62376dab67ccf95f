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
  description = "Short timeouts and receive counts in every pipeline (runtime.quick_retries): e.g. the storage-first processor times out after 3 s, a failed message is visible again 9 s after it was received (the local runtime polls one batch at a time, so the timeout and a margin are enough) and it is parked after 2 attempts, so a poison message reaches the DLQ in about 20 s instead of 15 minutes; the ETL loader times out after 60 s."
  type        = bool
  default     = true
}
