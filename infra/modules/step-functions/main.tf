data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # Known before the state machine exists, so the role can name it without a cycle.
  state_machine_arn = "arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stateMachine:${var.name}"

  # The module's own needs come first: the key, under the encryption context Step Functions sets for this
  # state machine only, and for log delivery; then exactly what the caller says the definition calls.
  statements = concat(
    [
      {
        sid        = "UseKeyForThisStateMachine"
        actions    = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources  = [var.kms_key_arn]
        conditions = [{ test = "StringEquals", variable = "kms:EncryptionContext:aws:states:stateMachineArn", values = [local.state_machine_arn] }]
      },
      {
        # Delivering the (encrypted) execution data to the log group asks for a data key as this role, in
        # CloudWatch Logs' encryption context (AWS's "Encryption at rest" guide for Step Functions).
        sid        = "UseKeyForLogDelivery"
        actions    = ["kms:GenerateDataKey"]
        resources  = [var.kms_key_arn]
        conditions = [{ test = "ArnLike", variable = "kms:EncryptionContext:SourceArn", values = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"] }]
      },
    ],
    var.policy_statements,
  )
}

module "assume" {
  source = "../policy-document"
  statements = [{
    sid        = "StepFunctions"
    actions    = ["sts:AssumeRole"]
    resources  = []
    principals = { type = "Service", identifiers = ["states.amazonaws.com"] }
    # Confused deputy: only this account's state machine of that name may use the role.
    conditions = [
      { test = "StringEquals", variable = "aws:SourceAccount", values = [data.aws_caller_identity.current.account_id] },
      { test = "ArnLike", variable = "aws:SourceArn", values = [local.state_machine_arn] },
    ]
  }]
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-sfn"
  assume_role_policy = module.assume.json
  tags               = var.tags
}

module "policy" {
  source     = "../policy-document"
  statements = local.statements
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-sfn"
  role   = aws_iam_role.this.id
  policy = module.policy.json
}

# Step Functions delivers logs through CloudWatch Logs' vended-log API, whose actions take no resource
# ARN (AWS documents them on "*" for every state machine that logs).
data "aws_iam_policy_document" "log_delivery" {
  #checkov:skip=CKV_AWS_111:CloudWatch Logs' log-delivery actions accept no resource ARN; Step Functions requires them on "*" to log at all.
  #checkov:skip=CKV_AWS_356:As above: the vended-log delivery actions cannot be scoped to a log group.
  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "log_delivery" {
  name   = "${var.name}-sfn-log-delivery"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.log_delivery.json
}

# X-Ray actions take no resource ARNs; the AWS managed policy grants exactly the write calls.
resource "aws_iam_role_policy_attachment" "xray" {
  count      = var.tracing_enabled ? 1 : 0
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

# "/aws/vendedlogs/" keeps CloudWatch Logs' resource policy short however many state machines log.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  type       = "STANDARD"
  role_arn   = aws_iam_role.this.arn
  definition = var.definition
  tags       = var.tags

  logging_configuration {
    log_destination = "${aws_cloudwatch_log_group.this.arn}:*"
    # Every state's input and output: what an operator needs to follow a message through a failure.
    level                  = "ALL"
    include_execution_data = true
  }

  tracing_configuration {
    enabled = var.tracing_enabled
  }

  encryption_configuration {
    type                              = "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = var.kms_key_arn
    kms_data_key_reuse_period_seconds = 300
  }

  # The role must hold its permissions before the first execution, and the log group must exist.
  depends_on = [aws_iam_role_policy.this, aws_iam_role_policy.log_delivery]
}
