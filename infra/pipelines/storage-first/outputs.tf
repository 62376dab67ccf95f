output "endpoint_url" {
  description = "POST messages here with the x-api-key header."
  value       = module.api.endpoint_url
}

output "api_key_value" {
  description = "Client API key."
  value       = module.api.api_key_value
  sensitive   = true
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = module.api.rest_api_id
}

output "stage_name" {
  description = "Stage of the REST API."
  value       = module.api.stage_name
}

output "queue_url" {
  description = "URL of the queue the API writes to."
  value       = module.queue.queue_url
}

output "queue_arn" {
  description = "ARN of the queue the API writes to."
  value       = module.queue.queue_arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue (redrive from here)."
  value       = module.queue.dlq_url
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.queue.dlq_arn
}

output "processor_function_name" {
  description = "Name of the processor function."
  value       = module.processor.function_name
}

output "processor_log_group_name" {
  description = "Log group of the processor."
  value       = module.processor.log_group_name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = module.alarms.topic_arn
}

output "kms_key_arn" {
  description = "CMK of the pipeline."
  value       = module.kms.key_arn
}
