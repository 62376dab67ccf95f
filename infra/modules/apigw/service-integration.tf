# Storage first: the one route stores the request body directly in SQS, S3 or DynamoDB with the
# API's own role, and maps the service's answer to 202/400/502 (type = "sqs", "s3" or "dynamodb").

locals {
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
