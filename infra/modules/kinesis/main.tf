data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # Where Firehose logs delivery and processing errors (the console's names).
  log_stream_names = concat(["DestinationDelivery"], var.processor == null ? [] : ["LambdaProcessing"])

  # Firehose does not report a processor parameter set to its default, and the provider leaves such
  # parameters out of the state: sent anyway, they would be planned again on every run.
  processor_defaults = { NumberOfRetries = "3", BufferSizeInMBs = "1", BufferIntervalInSeconds = "60" }
  processor_parameters = var.processor == null ? {} : {
    for k, v in {
      LambdaArn               = var.processor.lambda_arn
      NumberOfRetries         = tostring(var.processor.number_of_retries)
      BufferSizeInMBs         = tostring(var.processor.buffer_size_mb)
      BufferIntervalInSeconds = tostring(var.processor.buffer_interval_seconds)
    } : k => v if lookup(local.processor_defaults, k, null) != v
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/kinesisfirehose/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "this" {
  for_each       = toset(local.log_stream_names)
  name           = each.key
  log_group_name = aws_cloudwatch_log_group.this.name
}

# Only Firehose, for this account's stream of this name (the confused-deputy guard AWS documents).
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-firehose"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

module "policy" {
  source = "../policy-document"
  statements = concat(
    [
      # What AWS's delivery-to-S3 policy lists: multipart uploads of the objects, and the bucket's location.
      { sid = "DeliverToBucket", actions = ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"], resources = [var.bucket_arn, "${var.bucket_arn}/*"] },
      # Objects are encrypted with the key through S3 only, in this bucket's encryption context.
      {
        sid       = "EncryptObjects"
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = [var.kms_key_arn]
        conditions = [
          { test = "StringEquals", variable = "kms:ViaService", values = ["s3.${local.region}.amazonaws.com"] },
          { test = "StringLike", variable = "kms:EncryptionContext:aws:s3:arn", values = ["${var.bucket_arn}/*", var.bucket_arn] },
        ]
      },
      { sid = "WriteOwnLogs", actions = ["logs:PutLogEvents"], resources = [for s in aws_cloudwatch_log_stream.this : s.arn] },
    ],
    var.processor == null ? [] : [
      { sid = "InvokeProcessor", actions = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], resources = [var.processor.lambda_arn] },
    ],
  )
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-firehose"
  role   = aws_iam_role.this.id
  policy = module.policy.json
}

resource "aws_kinesis_firehose_delivery_stream" "this" {
  name        = var.name
  destination = "extended_s3"
  tags        = var.tags

  # Direct PUT: records wait encrypted with the CMK until they are delivered.
  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.this.arn
    bucket_arn          = var.bucket_arn
    prefix              = var.prefix == "" ? null : var.prefix
    error_output_prefix = var.error_output_prefix
    buffering_size      = var.buffering.size_mb
    buffering_interval  = var.buffering.interval_seconds
    compression_format  = var.compression_format
    file_extension      = var.file_extension
    kms_key_arn         = var.kms_key_arn

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.this.name
      log_stream_name = aws_cloudwatch_log_stream.this["DestinationDelivery"].name
    }

    dynamic "processing_configuration" {
      for_each = var.processor == null ? [] : [var.processor]
      content {
        enabled = true

        processors {
          type = "Lambda"

          dynamic "parameters" {
            for_each = local.processor_parameters
            content {
              parameter_name  = parameters.key
              parameter_value = parameters.value
            }
          }
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = !strcontains(var.prefix, "!{") || var.error_output_prefix != null
      error_message = "A prefix with expressions (!{...}) needs an error_output_prefix (Firehose refuses the stream otherwise)."
    }
  }

  # Firehose checks that it can assume the role and write at creation.
  depends_on = [aws_iam_role_policy.this]
}
