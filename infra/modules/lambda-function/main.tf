data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.function_name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

locals {
  # Every handler logs and measures with Powertools under its function's name.
  environment = merge(
    { POWERTOOLS_SERVICE_NAME = var.function_name },
    var.log_level == null ? {} : { POWERTOOLS_LOG_LEVEL = var.log_level },
    var.environment,
  )

  # Failures sent to an SNS topic need sns:Publish, to an SQS queue sqs:SendMessage.
  send_actions = { sns = ["sns:Publish"], sqs = ["sqs:SendMessage"] }

  # Everything the role may do, in one list: its own logs and key, where failed invocations go, what
  # each event source mapping calls (read_statements, below), then the caller's statements.
  statements = concat(
    [
      { sid = "WriteOwnLogs", actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["${aws_cloudwatch_log_group.this.arn}:*"], conditions = [] },
      { sid = "DecryptEnvironment", actions = ["kms:Decrypt"], resources = [var.kms_key_arn], conditions = [] },
    ],
    [for arn in compact([var.dead_letter_target_arn]) : { sid = "DeadLetter", actions = local.send_actions[split(":", arn)[2]], resources = [arn], conditions = [] }],
    [for arn in compact([try(var.async_on_failure.destination_arn, null)]) : { sid = "OnFailureDestination", actions = local.send_actions[split(":", arn)[2]], resources = [arn], conditions = [] }],
    local.mapping_statements,
    local.vpc_statements,
    var.policy_statements,
  )
}

module "policy" {
  source     = "../policy-document"
  statements = local.statements
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.function_name}-policy"
  role   = aws_iam_role.this.id
  policy = module.policy.json
}

# X-Ray actions take no resource ARNs; the AWS managed policy grants exactly the write calls.
resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Functions fed by event source mappings keep failures in the source queue's DLQ or the mapping's on-failure destination; set var.dead_letter_target_arn for asynchronous invocations.
  #checkov:skip=CKV_AWS_117:VPC attachment is opt-in through var.vpc: functions that reach no private resource stay out of a VPC (no NAT, no ENI cold starts).
  #checkov:skip=CKV_AWS_272:Code signing is opt-in through var.code_signing_config_arn (it needs an AWS Signer profile); artifacts are pinned by source_code_hash of deterministic zips.
  #checkov:skip=CKV_AWS_115:Reserved concurrency is opt-in through var.reserved_concurrent_executions: new accounts (quota 10) cannot reserve any; event source mappings bound concurrency with maximum_concurrency.
  function_name                  = var.function_name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  filename                       = var.artifact_path
  source_code_hash               = filebase64sha256(var.artifact_path)
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  kms_key_arn                    = var.kms_key_arn
  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions
  code_signing_config_arn        = var.code_signing_config_arn
  tags                           = var.tags

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

# Asynchronous invocations (schedules, S3 or SNS events) that still fail after the retries, or wait too
# long in Lambda's internal queue, are recorded here with the event and the error instead of dropped.
resource "aws_lambda_function_event_invoke_config" "this" {
  count                        = var.async_on_failure == null ? 0 : 1
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_on_failure.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_on_failure.maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = var.async_on_failure.destination_arn
    }
  }

  depends_on = [aws_iam_role_policy.this]
}

locals {
  # arn:<partition>:<service>:... -> the read actions a mapping needs on that kind of source.
  source_read_actions = {
    sqs      = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    dynamodb = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
  }
  # "queue" -> "EventSourceQueue", "word-count" -> "EventSourceWordCount": IAM sids are alphanumeric.
  mapping_sids = { for k in keys(var.event_source_mapping) : k => join("", [for w in split(" ", replace(k, "/[^a-zA-Z0-9]+/", " ")) : title(w)]) }
  mapping_statements = concat(
    [for k, m in var.event_source_mapping : {
      sid        = "EventSource${local.mapping_sids[k]}"
      actions    = local.source_read_actions[split(":", m.event_source_arn)[2]]
      resources  = [m.event_source_arn]
      conditions = []
    }],
    [for k, m in var.event_source_mapping : {
      sid        = "OnFailure${local.mapping_sids[k]}"
      actions    = local.send_actions[split(":", m.destination_on_failure)[2]]
      resources  = [m.destination_on_failure]
      conditions = []
    } if m.destination_on_failure != null],
  )
}

resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.event_source_mapping

  event_source_arn                   = each.value.event_source_arn
  function_name                      = aws_lambda_function.this.arn
  enabled                            = each.value.enabled
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds
  function_response_types            = each.value.function_response_types
  starting_position                  = each.value.starting_position
  bisect_batch_on_function_error     = each.value.bisect_batch_on_function_error
  maximum_retry_attempts             = each.value.maximum_retry_attempts
  maximum_record_age_in_seconds      = each.value.maximum_record_age_in_seconds

  dynamic "filter_criteria" {
    for_each = length(each.value.filter_patterns) > 0 ? [each.value.filter_patterns] : []
    content {
      dynamic "filter" {
        for_each = filter_criteria.value
        content {
          pattern = filter.value
        }
      }
    }
  }

  dynamic "destination_config" {
    for_each = each.value.destination_on_failure == null ? [] : [each.value.destination_on_failure]
    content {
      on_failure {
        destination_arn = destination_config.value
      }
    }
  }

  dynamic "scaling_config" {
    for_each = each.value.maximum_concurrency == null ? [] : [each.value.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  # The role must be able to read the source before the mapping is created (Lambda checks it).
  depends_on = [aws_iam_role_policy.this]
}

locals {
  # What Lambda does with the role to attach the function to var.vpc (the AWSLambdaVPCAccessExecutionRole
  # managed policy grants the same on "*"): create its network interfaces in the given subnets with the
  # given groups, describe them, and delete them or change their addresses when it scales down.
  ec2_arn = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  vpc_statements = var.vpc == null ? [] : [
    {
      sid        = "VpcDescribe"
      actions    = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
      resources  = ["*"]
      reason     = "EC2 Describe calls support no resource-level permissions: they are allowed on all resources or refused."
      conditions = []
    },
    {
      sid        = "VpcCreateNetworkInterface"
      actions    = ["ec2:CreateNetworkInterface"]
      resources  = concat(["${local.ec2_arn}:network-interface/*"], [for id in var.vpc.subnet_ids : "${local.ec2_arn}:subnet/${id}"], [for id in var.vpc.security_group_ids : "${local.ec2_arn}:security-group/${id}"])
      reason     = "The interface does not exist before this call, so its ARN is not known; the subnets and groups it may use are named."
      conditions = []
    },
    {
      sid        = "VpcManageNetworkInterfaces"
      actions    = ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources  = ["${local.ec2_arn}:network-interface/*"]
      reason     = "Lambda names the interfaces it created (ids unknown to Terraform); limited to network interfaces of this account and region."
      conditions = []
    },
  ]
}
