resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice with its own cost; versioning and PITR of the loaded tables cover accidental loss here.
  #checkov:skip=CKV_AWS_18:Server access logging is opt-in through var.access_log_bucket (it needs a separate log bucket).
  #checkov:skip=CKV2_AWS_62:Event notifications are configured by the pipeline that owns the bucket (aws_s3_bucket_notification), not by this module.
  bucket        = var.name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

locals {
  # "" is the whole bucket, as S3 documents; the whole-bucket rule always exists (multipart cleanup).
  # Every filter names its prefix, so a plan shows exactly which keys each rule touches.
  lifecycle_prefixes = distinct(concat([""], var.noncurrent_version_expiration_prefixes))
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  # One dynamic block for every rule: checkov ignores a static rule written next to a dynamic one.
  dynamic "rule" {
    for_each = local.lifecycle_prefixes
    content {
      id     = rule.value == "" ? "whole-bucket" : "prefix-${rule.value}"
      status = "Enabled"

      filter {
        prefix = rule.value
      }

      # Incomplete multipart uploads are never readable objects: aborting them anywhere loses nothing.
      abort_incomplete_multipart_upload {
        days_after_initiation = 7
      }

      # Noncurrent versions expire only under the listed prefixes: elsewhere a hidden version may
      # still be waiting to be processed.
      dynamic "noncurrent_version_expiration" {
        for_each = contains(var.noncurrent_version_expiration_prefixes, rule.value) ? [var.noncurrent_version_expiration_days] : []
        content {
          noncurrent_days = noncurrent_version_expiration.value
        }
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.access_log_bucket == null ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_log_bucket
  target_prefix = "s3/${var.name}/"
}

module "tls_only" {
  source                  = "../policy-document"
  deny_insecure_transport = { service = "s3", resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"] }
}

resource "aws_s3_bucket_policy" "this" {
  bucket     = aws_s3_bucket.this.id
  policy     = module.tls_only.json
  depends_on = [aws_s3_bucket_public_access_block.this]
}
