data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # The pipeline's own log groups only: its functions and API access logs are named after it. API
  # Gateway names execution log groups by REST API id, unknown before the key exists.
  log_group_name_patterns = var.log_group_name_patterns != null ? var.log_group_name_patterns : [
    "/aws/lambda/${var.name}-*",
    "/aws/apigateway/${var.name}-*",
    "API-Gateway-Execution-Logs_*",
  ]
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the account root keeps administration so the key can never become unmanageable.
  #checkov:skip=CKV_AWS_111:As above: in a key policy "*" is the key itself, and write access is limited to this account and the listed services.
  #checkov:skip=CKV_AWS_356:As above: key policies can only name the key as "*".
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = var.allow_cloudwatch_logs ? [1] : []
    content {
      sid       = "CloudWatchLogs"
      actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = [for name in local.log_group_name_patterns : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.service_principals) > 0 ? [1] : []
    content {
      sid = "AccountServices"
      # DescribeKey: EventBridge checks a bus's customer managed key with it before using it.
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = var.service_principals
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
