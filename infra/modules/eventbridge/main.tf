resource "aws_cloudwatch_event_bus" "this" {
  name               = var.name
  kms_key_identifier = var.kms_key_arn
  tags               = var.tags

  # Events EventBridge cannot encrypt or decrypt with the key land here instead of vanishing.
  dynamic "dead_letter_config" {
    for_each = var.dead_letter_arn == null ? [] : [var.dead_letter_arn]
    content {
      arn = dead_letter_config.value
    }
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.rules

  name           = "${var.name}-${each.key}"
  description    = each.value.description
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = each.value.event_pattern
  state          = each.value.enabled ? "ENABLED" : "DISABLED"
  tags           = var.tags

  lifecycle {
    precondition {
      condition     = length("${var.name}-${each.key}") <= 64
      error_message = "Rule names (<name>-<rule key>) are at most 64 characters: shorten name or the rule key ${each.key}."
    }
  }
}

locals {
  # rule key / target key -> the target, with its rule's key.
  targets = merge([
    for rk, r in var.rules : { for tk, t in r.targets : "${rk}/${tk}" => merge(t, { rule = rk, id = tk }) }
  ]...)
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.targets

  event_bus_name = aws_cloudwatch_event_bus.this.name
  rule           = aws_cloudwatch_event_rule.this[each.value.rule].name
  target_id      = each.value.id
  arn            = each.value.arn
  role_arn       = each.value.role_arn
  input_path     = each.value.input_path

  dynamic "input_transformer" {
    for_each = each.value.input_transformer == null ? [] : [each.value.input_transformer]
    content {
      input_paths    = input_transformer.value.input_paths
      input_template = input_transformer.value.input_template
    }
  }

  dynamic "sqs_target" {
    for_each = each.value.message_group_id == null ? [] : [each.value.message_group_id]
    content {
      message_group_id = sqs_target.value
    }
  }

  # Deliveries EventBridge still cannot make after the retries (throttled, the target's policy or key
  # refusing, the target gone) go to the dead-letter queue with the error, instead of being dropped.
  dead_letter_config {
    arn = each.value.dead_letter_arn
  }

  retry_policy {
    maximum_retry_attempts       = each.value.maximum_retry_attempts
    maximum_event_age_in_seconds = each.value.maximum_event_age_seconds
  }
}

# Lambda targets asked for it: the function's resource policy lets this rule, and no other source, invoke it.
resource "aws_lambda_permission" "this" {
  for_each = { for k, t in local.targets : k => t if t.lambda_permission }

  # Statement ids allow letters, digits, '-' and '_' (at most 100).
  statement_id  = substr("events-${replace(aws_cloudwatch_event_rule.this[each.value.rule].name, ".", "_")}-${replace(each.value.id, ".", "_")}", 0, 100)
  action        = "lambda:InvokeFunction"
  function_name = each.value.arn
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.value.rule].arn
}

# Every event the bus received (or those matching archive.event_pattern), replayable onto the bus.
resource "aws_cloudwatch_event_archive" "this" {
  count            = var.archive == null ? 0 : 1
  name             = substr(var.name, 0, 48)
  description      = "Events of ${var.name}, replayable onto the bus."
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  event_pattern    = var.archive.event_pattern
  retention_days   = var.archive.retention_days
}
