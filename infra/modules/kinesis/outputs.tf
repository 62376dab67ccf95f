output "delivery_stream_name" {
  description = "Name of the delivery stream (PutRecord / PutRecordBatch DeliveryStreamName)."
  value       = aws_kinesis_firehose_delivery_stream.this.name
}

output "delivery_stream_arn" {
  description = "ARN of the delivery stream (firehose:PutRecord* resource of its writers)."
  value       = aws_kinesis_firehose_delivery_stream.this.arn
}

output "role_arn" {
  description = "ARN of the role Firehose delivers and invokes the processor with."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Log group of delivery and processing errors."
  value       = aws_cloudwatch_log_group.this.name
}

output "permissions" {
  description = "What the role's inline policy grants, by statement sid: actions and resources (sorted), to review or test."
  value = {
    for sid, s in module.policy.statements : sid => {
      actions   = s.actions
      resources = s.resources
    }
  }
}

output "metric_dimensions" {
  description = "CloudWatch dimensions of the stream's AWS/Firehose metrics (DeliveryToS3.Success, DeliveryToS3.DataFreshness, ExecuteProcessing.Success...)."
  value       = { DeliveryStreamName = aws_kinesis_firehose_delivery_stream.this.name }
}
