output "summary" {
  description = "What clients, operators and the local runtime need: the delivery stream and the policy to attach to producers, the lake bucket and its prefix roots, the FIFO queue and its DLQ, the events and consumed tables, the bus, its archive and the consumer rule, the emitter failure queue and the consumer's DLQ, the function names by handler (transformer, storer, emitter, consumer) and the alarm topic."
  value = {
    delivery_stream_name      = module.stream.delivery_stream_name
    delivery_stream_arn       = module.stream.delivery_stream_arn
    producer_policy_arn       = aws_iam_policy.producer.arn
    lake_bucket               = module.lake.bucket_name
    lake_prefix_root          = "${split("/", local.contract.lake.prefix)[0]}/"
    error_prefix_root         = "${split("/", local.contract.lake.errorOutputPrefix)[0]}/"
    queue_url                 = module.queue.queue_url
    dlq_url                   = module.queue.dlq_url
    events_table              = module.events_table.table_name
    consumed_table            = module.consumed_table.table_name
    event_bus_name            = module.events.bus_name
    archive_name              = module.events.archive_name
    consumer_rule_name        = module.events.rule_names["consumer"]
    emitter_failure_queue_url = module.emitter_failures.queue_url
    consumer_dlq_url          = module.consumer_dlq.queue_url
    function_names            = { for k, f in module.function : k => f.function_name }
    alarm_topic_arn           = module.alarms.topic_arn
  }
}

output "secrets" {
  description = "Nothing secret: producers authenticate with IAM (producer_policy_arn of the summary)."
  value       = {}
  sensitive   = true
}
