variable "name" {
  description = "Name of the delivery stream; the role is <name>-firehose, the log group /aws/kinesisfirehose/<name>."
  type        = string

  validation {
    # Firehose allows 64 characters; the role name <name>-firehose must fit IAM's 64.
    condition     = can(regex("^[a-zA-Z0-9._-]{1,55}$", var.name))
    error_message = "name may contain letters, digits, '.', '-' and '_' (1-55 characters, so the role <name>-firehose fits IAM's 64)."
  }
}

variable "bucket_arn" {
  description = "ARN of the S3 bucket the stream delivers to (the role may write there and nowhere else)."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]{3,63}$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>)."
  }
}

variable "kms_key_arn" {
  description = "CMK that encrypts the records while Firehose holds them (server-side encryption of the stream), the objects it writes to the bucket and its log group. The caller applying the module needs kms:CreateGrant on it (Firehose creates a grant); its key policy must let CloudWatch Logs encrypt /aws/kinesisfirehose/<name>."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "prefix" {
  description = "S3 key prefix of delivered objects. May hold Firehose expressions such as !{timestamp:yyyy} (UTC arrival time); then error_output_prefix is required. Empty: Firehose's default YYYY/MM/dd/HH/."
  type        = string
  default     = ""

  validation {
    condition     = length(var.prefix) <= 1024 && !startswith(var.prefix, "/")
    error_message = "prefix must be at most 1024 characters and not start with '/'."
  }
}

variable "error_output_prefix" {
  description = "S3 key prefix for records Firehose could not process or deliver (the processor's ProcessingFailed records, failed invocations). With expressions it must hold !{firehose:error-output-type}, which keeps processing failures apart from other errors. Null: Firehose's default (processing-failed/ and the like)."
  type        = string
  default     = null

  validation {
    condition     = var.error_output_prefix == null ? true : length(var.error_output_prefix) > 0 && length(var.error_output_prefix) <= 1024 && !startswith(var.error_output_prefix, "/") && (!strcontains(var.error_output_prefix, "!{") || strcontains(var.error_output_prefix, "!{firehose:error-output-type}"))
    error_message = "error_output_prefix must be 1-1024 characters, not start with '/', and hold !{firehose:error-output-type} when it uses expressions."
  }
}

variable "buffering" {
  description = "When Firehose writes an object: after size_mb (1-128) of records or interval_seconds (0-900) since the first, whichever comes first."
  type = object({
    size_mb          = optional(number, 5)
    interval_seconds = optional(number, 300)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.buffering.size_mb >= 1 && var.buffering.size_mb <= 128 && floor(var.buffering.size_mb) == var.buffering.size_mb && var.buffering.interval_seconds >= 0 && var.buffering.interval_seconds <= 900 && floor(var.buffering.interval_seconds) == var.buffering.interval_seconds
    error_message = "buffering: size_mb must be a whole number 1-128, interval_seconds a whole number 0-900."
  }
}

variable "processor" {
  description = "Lambda function that transforms records before delivery (lambda_arn, the role may invoke it): Firehose calls it with batches of buffer_size_mb (0.2-3: the base64 records and their JSON envelope must fit Lambda's 6 MB synchronous payload) or buffer_interval_seconds (0-900), and retries a failed invocation number_of_retries times (0-300) before sending the batch to error_output_prefix. The function's resource policy needs no change (Firehose uses the role). Null: records are delivered as sent."
  type = object({
    lambda_arn              = string
    number_of_retries       = optional(number, 3)
    buffer_size_mb          = optional(number, 1)
    buffer_interval_seconds = optional(number, 60)
  })
  default = null

  validation {
    condition     = var.processor == null ? true : can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[a-zA-Z0-9_-]+(:[a-zA-Z0-9$_-]+)?$", var.processor.lambda_arn))
    error_message = "processor.lambda_arn must be a Lambda function ARN (optionally with a version or alias)."
  }

  validation {
    condition = var.processor == null ? true : (
      var.processor.number_of_retries >= 0 && var.processor.number_of_retries <= 300 && floor(var.processor.number_of_retries) == var.processor.number_of_retries &&
      var.processor.buffer_size_mb >= 0.2 && var.processor.buffer_size_mb <= 3 &&
      var.processor.buffer_interval_seconds >= 0 && var.processor.buffer_interval_seconds <= 900 && floor(var.processor.buffer_interval_seconds) == var.processor.buffer_interval_seconds
    )
    error_message = "processor: number_of_retries must be a whole number 0-300, buffer_size_mb 0.2-3, buffer_interval_seconds a whole number 0-900."
  }
}

variable "compression_format" {
  description = "Compression of the delivered objects: UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY."
  type        = string
  default     = "UNCOMPRESSED"

  validation {
    condition     = contains(["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"], var.compression_format)
    error_message = "compression_format must be UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY."
  }
}

variable "file_extension" {
  description = "Extension of the delivered objects (e.g. .jsonl); null: Firehose's default (none, or the compression's)."
  type        = string
  default     = null

  validation {
    condition     = var.file_extension == null || can(regex("^\\.[0-9a-z!\\-_.*'()]{1,127}$", coalesce(var.file_extension, ".x")))
    error_message = "file_extension must start with '.' and hold lowercase letters, digits and !-_.*'() (at most 128 characters)."
  }
}

variable "log_retention_days" {
  description = "Retention of the stream's log group (delivery and processing errors)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
