output "storage_first" {
  description = "Endpoints and queues of the storage-first pipeline (null when disabled)."
  value = var.enable_storage_first ? {
    endpoint_url            = module.storage_first[0].endpoint_url
    rest_api_id             = module.storage_first[0].rest_api_id
    stage_name              = module.storage_first[0].stage_name
    queue_url               = module.storage_first[0].queue_url
    dlq_url                 = module.storage_first[0].dlq_url
    processor_function_name = module.storage_first[0].processor_function_name
    processor_log_group     = module.storage_first[0].processor_log_group_name
    alarm_topic_arn         = module.storage_first[0].alarm_topic_arn
  } : null
}

output "storage_first_api_key" {
  description = "API key of the storage-first API (terraform output -raw storage_first_api_key)."
  value       = var.enable_storage_first ? module.storage_first[0].api_key_value : null
  sensitive   = true
}

output "etl" {
  description = "Bucket, queues and tables of the ETL pipeline (null when disabled)."
  value = var.enable_etl ? {
    bucket_name           = module.etl[0].bucket_name
    queue_url             = module.etl[0].queue_url
    dlq_url               = module.etl[0].dlq_url
    table_name            = module.etl[0].table_name
    ledger_table_name     = module.etl[0].ledger_table_name
    loader_function_name  = module.etl[0].loader_function_name
    sweeper_function_name = module.etl[0].sweeper_function_name
    alarm_topic_arn       = module.etl[0].alarm_topic_arn
  } : null
}

output "notes" {
  description = "API, table and queues of the notes pipeline (null when disabled)."
  value = var.enable_notes ? {
    endpoint_url              = module.notes[0].endpoint_url
    rest_api_id               = module.notes[0].rest_api_id
    stage_name                = module.notes[0].stage_name
    routes                    = module.notes[0].routes
    invoke_policy_arn         = module.notes[0].invoke_policy_arn
    table_name                = module.notes[0].table_name
    queue_url                 = module.notes[0].queue_url
    dlq_url                   = module.notes[0].dlq_url
    stream_failures_queue_url = module.notes[0].stream_failures_queue_url
    api_function_name         = module.notes[0].api_function_name
    forwarder_function_name   = module.notes[0].forwarder_function_name
    word_count_function_name  = module.notes[0].word_count_function_name
    alarm_topic_arn           = module.notes[0].alarm_topic_arn
  } : null
}

output "notes_api_key" {
  description = "API key of the notes API (terraform output -raw notes_api_key)."
  value       = var.enable_notes ? module.notes[0].api_key_value : null
  sensitive   = true
}
