output "queue_arn" {
  description = "ARN of the source queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the source queue."
  value       = aws_sqs_queue.this.id
}

output "queue_name" {
  description = "Name of the source queue."
  value       = aws_sqs_queue.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue (null without one)."
  value       = one(aws_sqs_queue.dlq[*].arn)
}

output "dlq_url" {
  description = "URL of the dead-letter queue (null without one)."
  value       = one(aws_sqs_queue.dlq[*].id)
}

output "dlq_name" {
  description = "Name of the dead-letter queue (null without one)."
  value       = one(aws_sqs_queue.dlq[*].name)
}

output "redrive_policy" {
  description = "Redrive policy of the source queue (JSON; null without a DLQ)."
  value       = one(aws_sqs_queue_redrive_policy.this[*].redrive_policy)
}

output "visibility_timeout_seconds" {
  description = "Visibility timeout of the source queue."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "message_retention_seconds" {
  description = "Retention of the source queue (4 days with a DLQ, 14 without one, unless set)."
  value       = aws_sqs_queue.this.message_retention_seconds
}
