output "endpoint_url" {
  description = "URL of the notes collection (POST to create, GET to list; /{noteId} for one note)."
  value       = module.api.endpoint_url
}

output "rest_api_id" {
  description = "ID of the notes REST API."
  value       = module.api.rest_api_id
}

output "stage_name" {
  description = "Stage of the notes API."
  value       = module.api.stage_name
}

output "routes" {
  description = "Routes of the notes API."
  value       = module.api.routes
}

output "invoke_policy_arn" {
  description = "Managed policy allowing execute-api:Invoke on the notes API: attach it to its callers."
  value       = aws_iam_policy.api_invoke.arn
}

output "api_key_value" {
  description = "API key of the notes API (send it as x-api-key)."
  value       = module.api.api_key_value
  sensitive   = true
}

output "table_name" {
  description = "Notes table (its stream feeds the forwarder)."
  value       = module.table.table_name
}

output "stream_arn" {
  description = "Stream of the notes table."
  value       = module.table.stream_arn
}

output "queue_url" {
  description = "Queue of count requests."
  value       = module.queue.queue_url
}

output "dlq_url" {
  description = "Dead-letter queue of count requests (redrive from here)."
  value       = module.queue.dlq_url
}

output "stream_failures_queue_url" {
  description = "Where the stream mapping reports records it gave up on."
  value       = module.stream_failures.queue_url
}

output "api_function_name" {
  description = "Notes API function."
  value       = module.api_function.function_name
}

output "forwarder_function_name" {
  description = "Stream forwarder function."
  value       = module.forwarder.function_name
}

output "word_count_function_name" {
  description = "Word-count function."
  value       = module.word_count.function_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the pipeline's alarms."
  value       = module.alarms.topic_arn
}
