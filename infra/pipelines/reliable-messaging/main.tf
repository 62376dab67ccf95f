data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# Without var.availability_zones: the region's zones a, b and c (a closed set, so a zone AWS adds later
# never moves the subnets), of which the first two this account has.
data "aws_availability_zones" "abc" {
  count = length(var.availability_zones) > 0 ? 0 : 1

  filter {
    name   = "zone-name"
    values = [for letter in ["a", "b", "c"] : "${data.aws_region.current.name}${letter}"]
  }
}

locals {
  # Tags shared by every resource come from the provider's default_tags (infra/ sets them from var.tags).
  tags     = { pipeline = "reliable-messaging" }
  contract = jsondecode(file("${path.module}/../../../functions/reliable-messaging/contract.json"))

  # Bucket names are global: the account id keeps two accounts' stacks apart (name_prefix, two stacks).
  account_id = data.aws_caller_identity.current.account_id

  availability_zones = length(var.availability_zones) > 0 ? var.availability_zones : slice(sort(data.aws_availability_zones.abc[0].names), 0, 2)

  # Every function holds a Redis connection: where Redis is and the secret holding its AUTH token.
  redis_environment = {
    REDIS_HOST            = module.cache.redis_host
    REDIS_PORT            = tostring(module.cache.redis_port)
    REDIS_TLS             = "true"
    REDIS_AUTH_SECRET_ARN = module.cache.auth_token_secret_arn
  }

  state_machine_name = "${var.name}-workflow"
  state_machine_arn  = "arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.name}:${local.account_id}:stateMachine:${local.state_machine_name}"

  # Local runs: a refused delivery of the aggregate reaches its dead-letter queue in a minute.
  delivery_retries   = var.runtime.quick_retries ? 2 : 185
  delivery_event_age = var.runtime.quick_retries ? 60 : 86400
}

module "kms" {
  source      = "../../modules/kms-key"
  name        = var.name
  description = "Encrypts the ${var.name} Redis, buckets, table, state machine, event bus, queues, logs and alarm topic."
  # cloudwatch: the alarm topic; events: the bus and its SQS targets; delivery.logs: the state machine's
  # log delivery, which reads execution data encrypted with this key.
  service_principals = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "delivery.logs.amazonaws.com"]
  log_group_name_patterns = concat(
    ["/aws/lambda/${var.name}-*", "/aws/apigateway/${var.name}-*", "API-Gateway-Execution-Logs_*", "/aws/vendedlogs/states/${var.name}-*"],
    module.cache.log_group_names,
  )
  tags = local.tags
}

module "cache" {
  source             = "../../modules/elasticache-vpc"
  name               = var.name
  kms_key_arn        = module.kms.key_arn
  vpc_cidr           = var.vpc_cidr
  availability_zones = local.availability_zones
  node_type          = var.redis_node_type
  num_cache_clusters = var.redis_num_cache_clusters
  tags               = local.tags
}

# archive: a retried archive writes the same key again, so older (identical) versions expire after 30
# days. salvage: replay moves what it re-sent under replayed/ (copy, then delete); the versions it
# leaves behind are copies, kept salvage_noncurrent_days to undo a wrong replay. Current objects (the
# archived and salvaged messages) never expire.
module "bucket" {
  source   = "../../modules/s3"
  for_each = { archive = 30, salvage = var.salvage_noncurrent_days }

  name                               = "${var.name}-${each.key}-${local.account_id}"
  kms_key_arn                        = module.kms.key_arn
  noncurrent_version_expiration_days = each.value
  tags                               = local.tags
}

module "table" {
  source              = "../../modules/dynamodb"
  name                = "${var.name}-metadata"
  hash_key            = local.contract.metadataKey
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

locals {
  # What differs between the four functions; all run in the VPC next to Redis and read its AUTH token.
  # ingest names the state machine by its ARN, known before it exists: the state machine calls the other
  # three, so a reference would be a cycle.
  functions = {
    ingest = {
      description = "POST /messages: stores the body in Redis, starts ${local.state_machine_name} with a pointer; salvages to the salvage bucket when either fails."
      # Within API Gateway's 29 s integration timeout, with room for the salvage after a failed start.
      timeout     = 25
      environment = { STATE_MACHINE_ARN = local.state_machine_arn, SALVAGE_BUCKET = module.bucket["salvage"].bucket_name }
      statements = [
        { sid = "StartWorkflow", actions = ["states:StartExecution"], resources = [local.state_machine_arn] },
        { sid = "SalvageRequests", actions = ["s3:PutObject"], resources = ["${module.bucket["salvage"].bucket_arn}/${local.contract.salvagePrefixes.ingest}*"], reason = "Salvaged requests are keyed by message id under the ingest prefix only." },
      ]
    }
    archive = {
      description = "Workflow task: copies a message from Redis to the archive bucket and checks its sha256."
      timeout     = 60
      environment = { ARCHIVE_BUCKET = module.bucket["archive"].bucket_name }
      statements = [
        { sid = "ArchiveMessages", actions = ["s3:PutObject"], resources = ["${module.bucket["archive"].bucket_arn}/${local.contract.archivePrefix}*"], reason = "Archived messages are keyed by message id under the archive prefix only." },
      ]
    }
    # Redis only.
    cleanup = { description = "Workflow task: deletes a delivered message's Redis key.", timeout = 10, environment = {}, statements = [] }
    salvage = {
      description = "Workflow catch: moves a failed message from Redis to the salvage bucket, records the failure in the metadata table, counts MessagesSalvaged."
      timeout     = 60
      environment = { SALVAGE_BUCKET = module.bucket["salvage"].bucket_name, METADATA_TABLE = module.table.table_name }
      statements = [
        { sid = "SalvageMessages", actions = ["s3:PutObject"], resources = ["${module.bucket["salvage"].bucket_arn}/${local.contract.salvagePrefixes.workflow}*"], reason = "Salvaged messages are keyed by message id under the workflow prefix only." },
        { sid = "RecordFailures", actions = ["dynamodb:PutItem", "dynamodb:UpdateItem"], resources = [module.table.table_arn] },
      ]
    }
  }
}

module "function" {
  source   = "../../modules/lambda-function"
  for_each = local.functions

  function_name = "${var.name}-${each.key}"
  description   = each.value.description
  artifact_path = var.artifact_paths[each.key]
  timeout       = each.value.timeout
  # Memory is CPU too: 6 MB bodies are hashed and sent in well under a second.
  memory_size = 1024
  kms_key_arn = module.kms.key_arn
  log_level   = var.log_level
  vpc         = { subnet_ids = module.cache.private_subnet_ids, security_group_ids = [module.cache.lambda_security_group_id] }
  environment = merge(local.redis_environment, each.value.environment)
  # S3 puts with SSE-KMS and StartExecution on a CMK-encrypted state machine need data keys (the module
  # grants kms:Decrypt itself); cleanup only decrypts.
  policy_statements = concat(
    [module.cache.auth_token_read_statement],
    each.value.statements,
    length(each.value.statements) == 0 ? [] : [{ sid = "UseKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn] }],
  )
  tags = local.tags
}

module "workflow" {
  source = "../../modules/step-functions"
  name   = local.state_machine_name
  definition = templatefile("${path.module}/workflow.asl.json", {
    archive_function_arn = module.function["archive"].function_arn
    cleanup_function_arn = module.function["cleanup"].function_arn
    salvage_function_arn = module.function["salvage"].function_arn
    metadata_table_name  = module.table.table_name
    event_bus_name       = module.events.bus_name
    timeout_seconds      = tostring(local.contract.workflowTimeoutSeconds)
  })
  kms_key_arn = module.kms.key_arn
  policy_statements = [
    { sid = "InvokeTasks", actions = ["lambda:InvokeFunction"], resources = [for f in ["archive", "cleanup", "salvage"] : module.function[f].function_arn] },
    { sid = "RecordMetadata", actions = ["dynamodb:PutItem"], resources = [module.table.table_arn] },
    { sid = "PublishAggregate", actions = ["events:PutEvents"], resources = [module.events.bus_arn] },
    # The table and the bus are encrypted with the pipeline's key (the state machine's own use of it is
    # granted by the module under its encryption context).
    { sid = "UseKeyForTableAndBus", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [module.kms.key_arn], conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = ["dynamodb.${data.aws_region.current.name}.amazonaws.com", "events.${data.aws_region.current.name}.amazonaws.com"] }] },
  ]
  tags = local.tags
}

# Where the aggregate goes: the bus, and the subscriber queue e2e tests and the demo read.
module "events" {
  source          = "../../modules/eventbridge"
  name            = var.name
  kms_key_arn     = module.kms.key_arn
  dead_letter_arn = module.delivery_failures.queue_arn
  rules = {
    subscriber = {
      description   = "Aggregates of archived messages, for the subscriber queue."
      event_pattern = jsonencode({ source = [local.contract.eventSource], "detail-type" = [local.contract.aggregateDetailType] })
      targets = {
        queue = {
          arn                       = module.subscriber.queue_arn
          dead_letter_arn           = module.delivery_failures.queue_arn
          maximum_retry_attempts    = local.delivery_retries
          maximum_event_age_seconds = local.delivery_event_age
        }
      }
    }
  }
  archive = { retention_days = var.event_archive_days }
  tags    = local.tags
}

locals {
  # EventBridge may send to a queue only for this pipeline's rule (or, for encryption failures, its bus).
  events_send = {
    sid        = "EventBridgeSend"
    actions    = ["sqs:SendMessage"]
    principals = { type = "Service", identifiers = ["events.amazonaws.com"] }
  }
}

module "subscriber" {
  source      = "../../modules/sqs-with-dlq"
  name        = "${var.name}-subscriber"
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
  source_policy_statements = [merge(local.events_send, {
    conditions = [{ test = "ArnEquals", variable = "aws:SourceArn", values = [module.events.rule_arns["subscriber"]] }]
  })]
}

# Aggregates EventBridge could not deliver (after its retries) or could not encrypt: a last stop, read by people.
module "delivery_failures" {
  source      = "../../modules/sqs-with-dlq"
  name        = "${var.name}-event-delivery-failures"
  create_dlq  = false
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
  source_policy_statements = [merge(local.events_send, {
    conditions = [{ test = "ArnEquals", variable = "aws:SourceArn", values = [module.events.rule_arns["subscriber"], module.events.bus_arn] }]
  })]
}

module "api" {
  source    = "../../modules/apigw"
  name      = "${var.name}-api"
  path_part = "messages"
  integration = {
    type                 = "lambda"
    lambda_function_name = module.function["ingest"].function_name
    lambda_invoke_arn    = module.function["ingest"].invoke_arn
    collection_methods   = ["POST"]
  }
  authorization = var.api_authorization
  # Any JSON document (the ingest function checks size and emptiness); text bodies have no model.
  request_schema     = jsonencode({ "$schema" = "http://json-schema.org/draft-04/schema#", title = "Message" })
  request_model_name = "Message"
  kms_key_arn        = module.kms.key_arn
  account_setting_id = var.api_gateway_account_setting_id
  tags               = local.tags
}

# Attach to the roles and users that may send messages (authorization = AWS_IAM).
resource "aws_iam_policy" "api_invoke" {
  name        = "${var.name}-api-invoke"
  description = "POST /messages on the ${var.name} API."
  policy      = module.api.invoke_policy_json
  tags        = local.tags
}

locals {
  state_machine_dimensions = { StateMachineArn = module.workflow.state_machine_arn }
  # Node ids of the replication group (<id>-001, -002, ...): CloudWatch reports Redis per node.
  redis_nodes = { for i in range(1, var.redis_num_cache_clusters + 1) : format("%03d", i) => format("%s-%03d", module.cache.replication_group_id, i) }
}

module "alarms" {
  source       = "../../modules/cloudwatch-alarms"
  name         = var.name
  kms_key_arn  = module.kms.key_arn
  alarm_emails = var.alarm_emails
  tags         = local.tags

  presets = merge(
    { for k, f in module.function : "${k}-errors" => { type = "function_errors", function_name = f.function_name } },
    {
      subscriber-dlq-not-empty = { type = "dlq_not_empty", queue_name = module.subscriber.dlq_name, description = "Aggregates the subscriber failed to handle wait in ${module.subscriber.dlq_name}." }
      event-delivery-failures  = { type = "dlq_not_empty", queue_name = module.delivery_failures.queue_name, description = "EventBridge could not deliver (or encrypt) aggregates: they wait in ${module.delivery_failures.queue_name}; the archive can replay them." }
      api-5xx                  = { type = "api_5xx", api_name = module.api.rest_api_name, stage_name = module.api.stage_name, description = "The messages API answered 5xx: a request was neither stored nor salvaged." }
    },
  )

  alarms = merge(
    {
      executions-failed    = { description = "Workflow executions failed: each salvaged its message (or recorded payloadLost); see the salvage bucket and the metadata table.", namespace = "AWS/States", metric_name = "ExecutionsFailed", dimensions = local.state_machine_dimensions, threshold = 0 }
      executions-timed-out = { description = "Workflow executions timed out after ${local.contract.workflowTimeoutSeconds}s: their messages may still be only in Redis until the TTL.", namespace = "AWS/States", metric_name = "ExecutionsTimedOut", dimensions = local.state_machine_dimensions, threshold = 0 }
      executions-throttled = { description = "Step Functions throttled the workflow's state transitions.", namespace = "AWS/States", metric_name = "ExecutionThrottled", dimensions = local.state_machine_dimensions, threshold = 0 }
      # EMF metric of the ingest function: a request neither stored nor salvaged (the client got 503).
      messages-refused = { description = "Requests were refused with nothing stored: Redis or Step Functions and the salvage bucket all failed.", namespace = local.contract.metricNamespace, metric_name = "MessagesRefused", dimensions = { service = module.function["ingest"].function_name }, threshold = 0 }
    },
    # EMF metrics, dimensioned by each function's Powertools service name (its function name): ingest
    # salvages a request Redis or StartExecution refused, the workflow's salvage a failed execution.
    { for f in ["ingest", "salvage"] : "messages-salvaged-${f}" => {
      description = "${module.function[f].function_name} salvaged messages to ${module.bucket["salvage"].bucket_name}: fix the cause, then make replay."
      namespace   = local.contract.metricNamespace
      metric_name = "MessagesSalvaged"
      dimensions  = { service = module.function[f].function_name }
      threshold   = 0
    } },
    { for k, node in local.redis_nodes : "redis-memory-${k}" => { description = "Redis node ${node} is over ${var.redis_memory_alarm_percent}% of its memory: with noeviction, writes (new messages) fail when it is full.", namespace = "AWS/ElastiCache", metric_name = "DatabaseMemoryUsagePercentage", dimensions = { CacheClusterId = node }, statistic = "Maximum", threshold = var.redis_memory_alarm_percent } },
    { for k, node in local.redis_nodes : "redis-evictions-${k}" => { description = "Redis node ${node} evicted keys: messages in flight were lost from Redis (maxmemory-policy should be noeviction).", namespace = "AWS/ElastiCache", metric_name = "Evictions", dimensions = { CacheClusterId = node }, threshold = 0 } },
  )
}
