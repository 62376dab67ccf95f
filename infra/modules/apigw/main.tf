data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  type      = var.integration.type

  # arn:aws:sqs:<region>:<account>:<name>
  sqs_arn_parts = local.type == "sqs" ? split(":", var.integration.sqs_queue_arn) : []
  s3_key        = "${var.integration.s3_key_prefix}{key}.json"
  dynamodb_table_arn = local.type == "dynamodb" ? (
    "arn:${local.partition}:dynamodb:${local.region}:${data.aws_caller_identity.current.account_id}:table/${var.integration.dynamodb_table_name}"
  ) : null

  integrations = {
    sqs = local.type != "sqs" ? null : {
      http_method = "POST"
      uri         = "arn:${local.partition}:apigateway:${local.region}:sqs:path/${local.sqs_arn_parts[4]}/${local.sqs_arn_parts[5]}"
      parameters  = { "integration.request.header.Content-Type" = "'application/x-www-form-urlencoded'" }
      template    = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=apiRequestId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.requestId)"
      response    = "{\"requestId\":\"$context.requestId\",\"messageId\":\"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')\"}"
      actions     = ["sqs:SendMessage"]
      resources   = [var.integration.sqs_queue_arn]
    }
    s3 = local.type != "s3" ? null : {
      http_method = "PUT"
      uri         = "arn:${local.partition}:apigateway:${local.region}:s3:path/${var.integration.s3_bucket_name}/${local.s3_key}"
      parameters = {
        "integration.request.path.key"            = "context.requestId"
        "integration.request.header.Content-Type" = "'application/json'"
      }
      template = "$input.body"
      # $${context.requestId}: the formal reference, or VTL reads ".json" as a property.
      response  = "{\"requestId\":\"$context.requestId\",\"key\":\"${var.integration.s3_key_prefix}$${context.requestId}.json\"}"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${var.integration.s3_bucket_name}/${var.integration.s3_key_prefix}*"]
    }
    dynamodb = local.type != "dynamodb" ? null : {
      http_method = "POST"
      uri         = "arn:${local.partition}:apigateway:${local.region}:dynamodb:action/PutItem"
      parameters  = {}
      # A plain string, not jsonencode: the VTL call needs its own quotes. escapeJavaScript escapes '
      # as \' which is not valid JSON, hence the replaceAll (as in the API Gateway documentation).
      template  = <<-EOT
        {"TableName": "${var.integration.dynamodb_table_name}",
         "Item": {"${var.integration.dynamodb_hash_key}": {"S": "$context.requestId"},
                  "receivedAt": {"N": "$context.requestTimeEpoch"},
                  "body": {"S": "$util.escapeJavaScript($input.body).replaceAll("\\'", "'")"}},
         "ConditionExpression": "attribute_not_exists(#pk)",
         "ExpressionAttributeNames": {"#pk": "${var.integration.dynamodb_hash_key}"}}
      EOT
      response  = "{\"requestId\":\"$context.requestId\"}"
      actions   = ["dynamodb:PutItem"]
      resources = [local.dynamodb_table_arn]
    }
  }
  # null for type = "lambda": the function answers every route itself (proxy integration).
  integration = lookup(local.integrations, local.type, null)
  stores      = local.integration != null

  item_parameter = local.type == "lambda" ? var.integration.item_path_parameter : null
  body_methods   = ["POST", "PUT", "PATCH"]
  # Routes keyed "<collection|item> <METHOD>"; storage integrations have exactly one.
  routes = local.stores ? { "collection POST" = { resource = "collection", method = "POST" } } : merge(
    { for m in var.integration.collection_methods : "collection ${m}" => { resource = "collection", method = m } },
    local.item_parameter == null ? {} : { for m in var.integration.item_methods : "item ${m}" => { resource = "item", method = m } },
  )
  route_paths = {
    collection = "/${var.path_part}"
    item       = local.item_parameter == null ? null : "/${var.path_part}/{${local.item_parameter}}"
  }
  route_names = sort([for r in values(local.routes) : "${r.method} ${local.route_paths[r.resource]}"])
  route_list  = join(", ", local.route_names)
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = local.stores ? "Storage-first ingestion: POST /${var.path_part} is stored in ${local.type} before anything processes it." : "${local.route_list}, served by Lambda ${coalesce(var.integration.lambda_function_name, "-")}."
  tags        = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = var.path_part
}

resource "aws_api_gateway_resource" "item" {
  count       = local.item_parameter == null ? 0 : 1
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.this.id
  path_part   = "{${local.item_parameter}}"
}

resource "aws_api_gateway_request_validator" "body" {
  rest_api_id           = aws_api_gateway_rest_api.this.id
  name                  = "body"
  validate_request_body = true
}

locals {
  # bodyDepth<k>: a value nesting at most k levels of objects and arrays. Draft 4 cannot count, so each
  # level is its own definition referring to the one below; the last admits scalars only.
  # (jsonencode in both branches: the two objects have different attributes.)
  depth_definitions = {
    for k in range(var.max_body_depth + 1) : "bodyDepth${k}" => jsondecode(k == 0 ? jsonencode({
      type = ["string", "number", "boolean", "null"]
      }) : jsonencode({
      additionalProperties = { "$ref" = "#/definitions/bodyDepth${k - 1}" }
      items                = { "$ref" = "#/definitions/bodyDepth${k - 1}" }
    }))
  }
  request_schema = jsondecode(var.request_schema)
  # The caller's schema, and the body (level 1) within max_body_depth.
  model_schema = jsonencode(merge(local.request_schema, {
    definitions = merge(try(local.request_schema.definitions, {}), local.depth_definitions)
    allOf       = concat(try(local.request_schema.allOf, []), [{ "$ref" = "#/definitions/bodyDepth${var.max_body_depth}" }])
  }))
}

resource "aws_api_gateway_model" "message" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "Message"
  content_type = "application/json"
  schema       = local.model_schema
}

locals {
  resource_ids = {
    collection = aws_api_gateway_resource.this.id
    item       = one(aws_api_gateway_resource.item[*].id)
  }
}

resource "aws_api_gateway_method" "this" {
  for_each = local.routes

  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = local.resource_ids[each.value.resource]
  http_method          = each.value.method
  authorization        = var.authorization
  api_key_required     = true
  request_validator_id = contains(local.body_methods, each.value.method) ? aws_api_gateway_request_validator.body.id : null
  request_models       = contains(local.body_methods, each.value.method) ? { "application/json" = aws_api_gateway_model.message.name } : null
  request_parameters   = each.value.resource == "item" ? { "method.request.path.${local.item_parameter}" = true } : null
}

moved {
  from = aws_api_gateway_method.post
  to   = aws_api_gateway_method.this["collection POST"]
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "integration" {
  count              = local.stores ? 1 : 0
  name               = "${var.name}-integration"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "integration" {
  count = local.stores ? 1 : 0

  statement {
    sid       = "StoreRequest"
    actions   = local.integration.actions
    resources = local.integration.resources
  }

  dynamic "statement" {
    for_each = var.target_kms_key_arn == null ? [] : [var.target_kms_key_arn]
    content {
      sid       = "EncryptForTarget"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "integration" {
  count  = local.stores ? 1 : 0
  name   = "${var.name}-integration"
  role   = aws_iam_role.integration[0].id
  policy = data.aws_iam_policy_document.integration[0].json
}

resource "aws_api_gateway_integration" "this" {
  count                   = local.stores ? 1 : 0
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.this.id
  http_method             = aws_api_gateway_method.this["collection POST"].http_method
  type                    = "AWS"
  integration_http_method = local.integration.http_method
  uri                     = local.integration.uri
  credentials             = aws_iam_role.integration[0].arn
  passthrough_behavior    = "NEVER"
  request_parameters      = local.integration.parameters
  request_templates       = { "application/json" = local.integration.template }
}

resource "aws_api_gateway_integration" "lambda" {
  for_each = local.stores ? {} : local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.this[each.key].resource_id
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.integration.lambda_invoke_arn
}

locals {
  # execute-api ARN of every route of the stage: the scope of the invoke permission and policy.
  routes_arn = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/*/${var.path_part}*"
}

resource "aws_lambda_permission" "api" {
  count         = local.stores ? 0 : 1
  statement_id  = "apigw-${substr(var.name, 0, 90)}"
  action        = "lambda:InvokeFunction"
  function_name = var.integration.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  # Only this API's own stage and routes may invoke the function.
  source_arn = local.routes_arn
}

locals {
  # SQS counts the message attributes in its size limit: apiRequestId (12) + String (6) + a request id (36).
  sqs_attribute_bytes = 54
  # SQS answers every refusal with a 4xx, whatever its cause, so the 4xx template reads the error code
  # and overrides the status where the cause is on the service's side (nothing the client sent is wrong).
  # API Gateway receives SQS errors as {"Error":{"Code","Message","Type"},"RequestId"}.
  sqs_refused = <<-EOT
    #set($error = $input.path('$.Error'))
    #if("$!error" == "")#set($error = $input.path('$.ErrorResponse.Error'))#end
    #set($code = "$!error.Code")
    #set($reason = "$!error.Message")
    #if($code == "RequestThrottled" || $code == "ThrottlingException" || $code == "Throttling" || $code == "OverLimit" || $code == "KMS.ThrottlingException")
    #set($context.responseOverride.status = 503)
    {"message":"The queue is throttling requests ($code): nothing was stored. Retry with backoff.","retryable":true,"requestId":"$context.requestId"}
    #elseif($code.startsWith("KMS."))
    #set($context.responseOverride.status = 502)
    {"message":"The queue's encryption key refused the request ($code): nothing was stored. Retry with backoff.","retryable":true,"requestId":"$context.requestId"}
    #elseif($code == "AccessDenied" || $code == "InvalidSecurity" || $code == "AWS.SimpleQueueService.NonExistentQueue")
    #set($context.responseOverride.status = 502)
    {"message":"The API may not write to its queue ($code): nothing was stored. Retry later; the operators are alerted.","retryable":true,"requestId":"$context.requestId"}
    #elseif($reason.matches(".*Message must be shorter than.*"))
    {"message":"The body is too large: the queue accepts messages of at most ${var.integration.sqs_max_message_size} bytes, counting the UTF-8 body and the ${local.sqs_attribute_bytes}-byte request id attribute, so a body may have at most ${var.integration.sqs_max_message_size - local.sqs_attribute_bytes} bytes. Nothing was stored.","maxMessageBytes":${var.integration.sqs_max_message_size},"maxBodyBytes":${var.integration.sqs_max_message_size - local.sqs_attribute_bytes},"requestId":"$context.requestId"}
    #else
    {"message":"The queue refused the message ($code): nothing was stored. Do not retry it unchanged.","requestId":"$context.requestId"}
    #end
  EOT

  # Status the client sees -> selection pattern on the storage service's status code (null = default).
  responses = !local.stores ? {} : {
    "202" = { pattern = null, body = local.integration.response }
    "400" = {
      pattern = "4\\d{2}"
      body = local.type == "sqs" ? local.sqs_refused : (
        "{\"message\":\"The ${local.type} service refused the request: the body may be empty, malformed or larger than the service accepts.\",\"requestId\":\"$context.requestId\"}"
      )
    }
    "502" = {
      pattern = "5\\d{2}"
      body    = "{\"message\":\"Storage is unavailable; nothing was stored. Retry with backoff.\",\"requestId\":\"$context.requestId\"}"
    }
  }
}

resource "aws_api_gateway_method_response" "this" {
  for_each = local.responses

  rest_api_id     = aws_api_gateway_rest_api.this.id
  resource_id     = aws_api_gateway_resource.this.id
  http_method     = aws_api_gateway_method.this["collection POST"].http_method
  status_code     = each.key
  response_models = { "application/json" = "Empty" }
}

# Statuses the 4xx template sets through $context.responseOverride (502 has a response of its own).
resource "aws_api_gateway_method_response" "override" {
  for_each = local.type == "sqs" ? toset(["503"]) : toset([])

  rest_api_id     = aws_api_gateway_rest_api.this.id
  resource_id     = aws_api_gateway_resource.this.id
  http_method     = aws_api_gateway_method.this["collection POST"].http_method
  status_code     = each.key
  response_models = { "application/json" = "Empty" }
}

resource "aws_api_gateway_integration_response" "this" {
  for_each = local.responses

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_resource.this.id
  http_method        = aws_api_gateway_method.this["collection POST"].http_method
  status_code        = aws_api_gateway_method_response.this[each.key].status_code
  selection_pattern  = each.value.pattern
  response_templates = { "application/json" = each.value.body }

  depends_on = [aws_api_gateway_integration.this]
}

locals {
  # Gateway-level rejections get a JSON body that says what was wrong and carries the request id.
  gateway_responses = {
    BAD_REQUEST_BODY       = { status = "400", message = "Invalid request body: $context.error.validationErrorString. The body must match the route's model and nest at most ${var.max_body_depth} levels of objects and arrays (the body itself is level 1)." }
    UNSUPPORTED_MEDIA_TYPE = { status = "415", message = "Send the body as Content-Type: application/json." }
    REQUEST_TOO_LARGE      = { status = "413", message = "The request body is too large." }
    INVALID_API_KEY        = { status = "403", message = "Missing or invalid API key (x-api-key header)." }
    # API Gateway answers an unsigned request to an AWS_IAM route and a request to no route alike.
    MISSING_AUTHENTICATION_TOKEN = var.authorization == "AWS_IAM" ? {
      status  = "403"
      message = "Missing authentication: sign the request with SigV4 for execute-api, or the route does not exist. Routes: ${local.route_list}."
    } : { status = "404", message = "No such route. Routes: ${local.route_list}." }
    INTEGRATION_FAILURE = { status = "502", message = "The back end failed; retry with backoff." }
    INTEGRATION_TIMEOUT = { status = "504", message = "The back end did not answer in time; retry with backoff." }
    THROTTLED           = { status = "429", message = "Too many requests: slow down and retry with backoff." }
    INVALID_SIGNATURE   = { status = "403", message = "Invalid SigV4 signature: $context.error.message" }
    EXPIRED_TOKEN       = { status = "403", message = "The credentials have expired." }
    ACCESS_DENIED       = { status = "403", message = "Access denied: the caller may not invoke this route (execute-api:Invoke)." }
    QUOTA_EXCEEDED      = { status = "429", message = "Daily quota exceeded for this API key." }
  }
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.gateway_responses

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  status_code   = each.value.status
  response_templates = {
    "application/json" = "{\"message\":\"${each.value.message}\",\"requestId\":\"$context.requestId\"}"
  }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # Redeploy when what we configure changes (not on attributes the service fills in).
  triggers = {
    redeployment = sha1(jsonencode([
      var.path_part,
      local.model_schema,
      local.integration,
      local.routes,
      local.responses,
      local.gateway_responses,
      [for m in aws_api_gateway_method.this : m.id],
      [for i in aws_api_gateway_integration.this : i.id],
      [for i in aws_api_gateway_integration.lambda : i.id],
      [for r in aws_api_gateway_integration_response.this : r.id],
      [for r in aws_api_gateway_gateway_response.this : r.id],
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# API Gateway would create this group itself on the first execution log, unencrypted and kept forever.
resource "aws_cloudwatch_log_group" "execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${var.stage_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Caching is off by design: storage routes are POSTs that store every request, and resource APIs (type = "lambda") must answer reads with current data (a cached note would hide its new word count).
  #checkov:skip=CKV2_AWS_29:A WAF web ACL is opt-in through var.waf_web_acl_arn (it is billed per ACL and rule); API keys, usage plan throttling and request validation are the default protection.
  #checkov:skip=CKV2_AWS_77:The Log4j managed rule belongs to a WAF web ACL, which is opt-in through var.waf_web_acl_arn (see CKV2_AWS_29); nothing behind this API runs Java.
  #checkov:skip=CKV2_AWS_51:Clients authenticate with API keys; client certificates authenticate API Gateway to HTTP back ends, and these integrations are AWS service calls and Lambda invocations signed with IAM.
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true
  tags                 = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      ip                 = "$context.identity.sourceIp"
      apiKeyId           = "$context.identity.apiKeyId"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
      error              = "$context.error.message"
      validationError    = "$context.error.validationErrorString"
      xrayTraceId        = "$context.xrayTraceId"
    })
  }

  # The execution log group exists before the stage can write to it.
  depends_on = [aws_api_gateway_account.this, aws_cloudwatch_log_group.execution]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:Caching is off by design (see CKV_AWS_120 on the stage); cache_data_encrypted is still set.
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = var.logging_level
    data_trace_enabled     = false
    caching_enabled        = false
    cache_data_encrypted   = true
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count        = var.waf_web_acl_arn == null ? 0 : 1
  resource_arn = aws_api_gateway_stage.this.arn
  web_acl_arn  = var.waf_web_acl_arn
}

resource "aws_api_gateway_api_key" "this" {
  name = "${var.name}-client"
  tags = var.tags
}

resource "aws_api_gateway_usage_plan" "this" {
  name = "${var.name}-default"
  tags = var.tags

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  throttle_settings {
    rate_limit  = var.throttle_rate_limit
    burst_limit = var.throttle_burst_limit
  }

  dynamic "quota_settings" {
    for_each = var.quota_limit_per_day == null ? [] : [var.quota_limit_per_day]
    content {
      limit  = quota_settings.value
      period = "DAY"
    }
  }
}

resource "aws_api_gateway_usage_plan_key" "this" {
  key_id        = aws_api_gateway_api_key.this.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this.id
}

# One per account and region: lets API Gateway write execution logs.
resource "aws_iam_role" "account_logging" {
  count              = var.manage_account_logging_role ? 1 : 0
  name               = "${var.name}-apigw-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "account_logging" {
  count      = var.manage_account_logging_role ? 1 : 0
  role       = aws_iam_role.account_logging[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_account_logging_role ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.account_logging[0].arn
  depends_on          = [aws_iam_role_policy_attachment.account_logging]
}
