# API Gateway's account setting is one per account and region: the role it uses to write execution
# and access logs. The stack owns it, not a pipeline, so any set of pipelines can be enabled.

data "aws_partition" "current" {}

resource "aws_iam_role" "apigw_account_logging" {
  count = var.manage_account_logging_role ? 1 : 0
  name  = "${var.name_prefix}-apigw-cloudwatch"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "apigateway.amazonaws.com" } }]
  })

  # Stacks from before issue 10 named it after the storage-first API: the account setting moves to the
  # new role before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role_policy_attachment" "apigw_account_logging" {
  count      = var.manage_account_logging_role ? 1 : 0
  role       = aws_iam_role.apigw_account_logging[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_account_logging_role ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.apigw_account_logging[0].arn
  depends_on          = [aws_iam_role_policy_attachment.apigw_account_logging]
}
