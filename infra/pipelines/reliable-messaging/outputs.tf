output "summary" {
  description = "What clients, operators and the local runtime need: the messages URL (POST), REST API id, stage and routes, the invoke policy to attach to callers (AWS_IAM), the state machine, the archive and salvage buckets, the metadata table, the event bus and the subscriber queue (with its DLQ and the delivery-failures queue), the function names by handler (ingest, archive, cleanup, salvage), Redis, the AUTH token secret and the alarm topic."
  value = {
    endpoint_url                = module.api.endpoint_url
    rest_api_id                 = module.api.rest_api_id
    stage_name                  = module.api.stage_name
    routes                      = module.api.routes
    invoke_policy_arn           = aws_iam_policy.api_invoke.arn
    state_machine_arn           = module.workflow.state_machine_arn
    archive_bucket              = module.bucket["archive"].bucket_name
    salvage_bucket              = module.bucket["salvage"].bucket_name
    table_name                  = module.table.table_name
    event_bus_name              = module.events.bus_name
    subscriber_queue_url        = module.subscriber.queue_url
    subscriber_dlq_url          = module.subscriber.dlq_url
    delivery_failures_queue_url = module.delivery_failures.queue_url
    function_names              = { for k, f in module.function : k => f.function_name }
    redis_host                  = module.cache.redis_host
    redis_port                  = module.cache.redis_port
    redis_auth_secret_arn       = module.cache.auth_token_secret_arn
    redis_replication_group_id  = module.cache.replication_group_id
    alarm_topic_arn             = module.alarms.topic_arn
  }
}

output "secrets" {
  description = "The messages API key (send it as x-api-key)."
  value = {
    api_key = module.api.api_key_value
  }
  sensitive = true
}
