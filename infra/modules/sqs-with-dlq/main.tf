locals {
  suffix     = var.fifo ? ".fifo" : ""
  queue_name = "${var.name}${local.suffix}"
  dlq_name   = "${var.name}-dlq${local.suffix}"
  use_kms    = var.kms_key_arn != null
  retention  = coalesce(var.message_retention_seconds, var.create_dlq ? 345600 : 1209600)
}

resource "aws_sqs_queue" "dlq" {
  count                             = var.create_dlq ? 1 : 0
  name                              = local.dlq_name
  fifo_queue                        = var.fifo
  message_retention_seconds         = var.dlq_message_retention_seconds
  max_message_size                  = var.max_message_size
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = local.use_kms ? var.kms_data_key_reuse_period_seconds : null
  sqs_managed_sse_enabled           = local.use_kms ? null : true
  tags                              = var.tags
}

resource "aws_sqs_queue" "this" {
  name                              = local.queue_name
  fifo_queue                        = var.fifo
  content_based_deduplication       = var.fifo ? var.content_based_deduplication : null
  visibility_timeout_seconds        = var.visibility_timeout_seconds
  message_retention_seconds         = local.retention
  max_message_size                  = var.max_message_size
  receive_wait_time_seconds         = var.receive_wait_time_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = local.use_kms ? var.kms_data_key_reuse_period_seconds : null
  sqs_managed_sse_enabled           = local.use_kms ? null : true
  tags                              = var.tags

  lifecycle {
    precondition {
      condition     = !var.create_dlq || var.dlq_message_retention_seconds > local.retention
      error_message = "dlq_message_retention_seconds must exceed message_retention_seconds: messages keep their original enqueue time in the DLQ."
    }
  }
}

# Separate resources break the cycle source -> DLQ (redrive policy) -> source (redrive allow policy).
resource "aws_sqs_queue_redrive_policy" "this" {
  count     = var.create_dlq ? 1 : 0
  queue_url = aws_sqs_queue.this.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[0].arn
    maxReceiveCount     = var.max_receive_count
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count     = var.create_dlq ? 1 : 0
  queue_url = aws_sqs_queue.dlq[0].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

# Both queues refuse requests not sent over TLS; the source queue also takes the caller's statements
# (e.g. let S3 send), scoped to itself.
module "policy" {
  source = "../policy-document"
  for_each = merge(
    { source = aws_sqs_queue.this.arn },
    var.create_dlq ? { dlq = aws_sqs_queue.dlq[0].arn } : {},
  )

  deny_insecure_transport = { service = "sqs", resources = [each.value] }
  statements              = each.key == "source" ? [for st in var.source_policy_statements : merge(st, { resources = [each.value] })] : []
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = module.policy["source"].json
}

resource "aws_sqs_queue_policy" "dlq" {
  count     = var.create_dlq ? 1 : 0
  queue_url = aws_sqs_queue.dlq[0].id
  policy    = module.policy["dlq"].json
}
