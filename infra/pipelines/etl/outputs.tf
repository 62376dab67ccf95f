output "bucket_name" {
  description = "Drop CSV files under incoming/ of this bucket."
  value       = module.bucket.bucket_name
}

output "queue_url" {
  description = "Queue of file notifications."
  value       = module.queue.queue_url
}

output "dlq_url" {
  description = "Dead-letter queue of file notifications (redrive from here)."
  value       = module.queue.dlq_url
}

output "table_name" {
  description = "Table the rows are loaded into."
  value       = module.table.table_name
}

output "ledger_table_name" {
  description = "Ledger of loaded files."
  value       = module.ledger.table_name
}

output "loader_function_name" {
  description = "Name of the loader function."
  value       = module.loader.function_name
}

output "sweeper_function_name" {
  description = "Name of the sweeper function."
  value       = module.sweeper.function_name
}

output "sweeper_failures_queue_url" {
  description = "Failed asynchronous sweeper runs (event and error), after two retries."
  value       = module.sweeper_failures.queue_url
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = module.alarms.topic_arn
}
