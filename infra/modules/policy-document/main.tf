locals {
  tls_only = var.deny_insecure_transport == null ? [] : [{
    sid        = "DenyInsecureTransport"
    effect     = "Deny"
    actions    = ["${var.deny_insecure_transport.service}:*"]
    resources  = var.deny_insecure_transport.resources
    principals = { type = "*", identifiers = ["*"] }
    conditions = [{ test = "Bool", variable = "aws:SecureTransport", values = ["false"] }]
  }]
  statements = concat(local.tls_only, var.statements)
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = local.statements
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "principals" {
        for_each = statement.value.principals == null ? [] : [statement.value.principals]
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}
