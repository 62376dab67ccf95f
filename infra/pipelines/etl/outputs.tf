output "summary" {
  description = "What uploaders, operators and the local runtime need: the bucket (drop CSV files under incoming/), the notification queue and its DLQ (redrive from there), the rows and ledger tables, the functions, the alarm topic."
  value = {
    bucket_name           = module.bucket.bucket_name
    queue_url             = module.queue.queue_url
    dlq_url               = module.queue.dlq_url
    table_name            = module.rows.table_name
    ledger_table_name     = module.ledger.table_name
    loader_function_name  = module.loader.function_name
    sweeper_function_name = module.sweeper.function_name
    alarm_topic_arn       = module.alarms.topic_arn
  }
}

output "secrets" {
  description = "Sensitive values: none for this pipeline (the same output as every pipeline's, so the stack treats them alike)."
  value       = {}
  sensitive   = true
}
