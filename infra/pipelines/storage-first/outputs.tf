output "summary" {
  description = "What clients, operators and the local runtime need: the endpoint (POST messages with the x-api-key header), REST API id and stage, the queue and its DLQ (redrive from there), the processor's function and log group, the alarm topic."
  value = {
    endpoint_url            = module.api.endpoint_url
    rest_api_id             = module.api.rest_api_id
    stage_name              = module.api.stage_name
    queue_url               = module.queue.queue_url
    dlq_url                 = module.queue.dlq_url
    processor_function_name = module.processor.function_name
    processor_log_group     = module.processor.log_group_name
    alarm_topic_arn         = module.alarms.topic_arn
  }
}

output "secrets" {
  description = "The client API key (send it as x-api-key)."
  value = {
    api_key = module.api.api_key_value
  }
  sensitive = true
}
