data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  type      = var.integration.type

  stores = local.integration != null

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
  # execute-api ARN of every route of the stage: the scope of the invoke permission and policy.
  routes_arn = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/*/${var.path_part}*"
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

resource "aws_api_gateway_model" "body" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = var.request_model_name
  content_type = "application/json"
  schema       = local.model_schema

  # A renamed model is a new one: the methods move to it before the old one (still in use) goes.
  lifecycle {
    create_before_destroy = true
  }
}

moved {
  from = aws_api_gateway_model.message
  to   = aws_api_gateway_model.body
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
  request_models       = contains(local.body_methods, each.value.method) ? { "application/json" = aws_api_gateway_model.body.name } : null
  request_parameters   = each.value.resource == "item" ? { "method.request.path.${local.item_parameter}" = true } : null
}

moved {
  from = aws_api_gateway_method.post
  to   = aws_api_gateway_method.this["collection POST"]
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

  # The execution log group exists before the stage can write to it. Logging also needs the region's
  # API Gateway account setting (a CloudWatch role), which belongs to the caller (infra/stack).
  depends_on = [aws_cloudwatch_log_group.execution, terraform_data.account_setting]
}

# Orders the stage after the caller's account setting (var.account_setting_id) without a module-wide
# depends_on, which would defer every data source of the module whenever the setting changes.
resource "terraform_data" "account_setting" {
  input = var.account_setting_id
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
