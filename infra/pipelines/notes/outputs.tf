output "summary" {
  description = "What clients, operators and the local runtime need: the notes collection URL (POST to create, GET to list; /{noteId} for one note), REST API id, stage and routes, the invoke policy to attach to callers (AWS_IAM), the table, the count queue and its DLQ, the stream mapping's failure queue, the functions, the alarm topic."
  value = {
    endpoint_url              = module.api.endpoint_url
    rest_api_id               = module.api.rest_api_id
    stage_name                = module.api.stage_name
    routes                    = module.api.routes
    invoke_policy_arn         = aws_iam_policy.api_invoke.arn
    table_name                = module.table.table_name
    queue_url                 = module.queue.queue_url
    dlq_url                   = module.queue.dlq_url
    stream_failures_queue_url = module.stream_failures.queue_url
    api_function_name         = module.api_function.function_name
    forwarder_function_name   = module.forwarder.function_name
    word_count_function_name  = module.word_count.function_name
    alarm_topic_arn           = module.alarms.topic_arn
  }
}

output "secrets" {
  description = "The notes API key (send it as x-api-key)."
  value = {
    api_key = module.api.api_key_value
  }
  sensitive = true
}
