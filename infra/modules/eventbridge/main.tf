resource "aws_cloudwatch_event_bus" "this" {
  count = var.create_bus ? 1 : 0

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

# The bus became optional (create_bus): stacks created before keep their bus.
moved {
  from = aws_cloudwatch_event_bus.this
  to   = aws_cloudwatch_event_bus.this[0]
}

locals {
  bus_name = one(aws_cloudwatch_event_bus.this[*].name)

  # Pattern rules on the bus and schedules, which EventBridge only runs on the default bus, in one map
  # (their keys may not overlap): one definition of a rule, a target and a permission for both.
  all_rules = merge(
    { for k, r in var.rules : k => { description = r.description, event_pattern = r.event_pattern, schedule_expression = null, enabled = r.enabled, targets = r.targets, bus = local.bus_name } },
    { for k, s in var.schedules : k => { description = s.description, event_pattern = null, schedule_expression = s.schedule_expression, enabled = s.enabled, targets = s.targets, bus = "default" } },
  )

  # rule key / target key -> the target, with its rule's key and bus; a target without its own
  # dead-letter queue takes the module's.
  targets = merge([
    for rk, r in local.all_rules : {
      for tk, t in r.targets : "${rk}/${tk}" => merge(t, { rule = rk, id = tk, bus = r.bus, dead_letter_arn = t.dead_letter_arn != null ? t.dead_letter_arn : var.dead_letter_arn })
    }
  ]...)
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.all_rules

  name                = "${var.name}-${each.key}"
  description         = each.value.description
  event_bus_name      = each.value.bus
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
  state               = each.value.enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags

  lifecycle {
    precondition {
      condition     = length("${var.name}-${each.key}") <= 64
      error_message = "Rule names (<name>-<rule key>) are at most 64 characters: shorten name or the rule key ${each.key}."
    }
    precondition {
      condition     = !(contains(keys(var.rules), each.key) && contains(keys(var.schedules), each.key))
      error_message = "rules and schedules share the rule names <name>-<key>: ${each.key} is a key of both."
    }
    precondition {
      condition     = var.create_bus || (each.value.schedule_expression != null && var.kms_key_arn == null)
      error_message = "create_bus = false leaves only the default bus: rules with an event pattern (${each.key}) and kms_key_arn need the custom bus; use schedules only."
    }
  }
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.targets

  event_bus_name = each.value.bus
  rule           = aws_cloudwatch_event_rule.this[each.value.rule].name
  target_id      = each.value.id
  arn            = each.value.arn
  role_arn       = each.value.role_arn
  input          = each.value.input
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

  lifecycle {
    precondition {
      condition     = each.value.dead_letter_arn != null
      error_message = "Target ${each.key} has no dead-letter queue: give it dead_letter_arn or set the module's dead_letter_arn."
    }
    # The id is the target's key, which is also its address, so config and state differ only for a
    # target adopted with a moved block (one created with a generated id): keep it instead of replacing it.
    ignore_changes = [target_id]
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

  # A permission adopted with a moved block may name the function by name and have a statement id
  # chosen by hand: equivalent, so kept rather than replaced. The statement id follows the rule's name,
  # which source_arn (replaced on change) follows too; a target moved to another function replaces it.
  lifecycle {
    ignore_changes       = [statement_id, function_name]
    replace_triggered_by = [aws_cloudwatch_event_target.this[each.key].arn]
  }
}

# Every event the bus received (or those matching archive.event_pattern), replayable onto the bus.
resource "aws_cloudwatch_event_archive" "this" {
  count            = var.archive == null ? 0 : 1
  name             = substr(var.name, 0, 48)
  description      = "Events of ${var.name}, replayable onto the bus."
  event_source_arn = one(aws_cloudwatch_event_bus.this[*].arn)
  event_pattern    = var.archive.event_pattern
  retention_days   = var.archive.retention_days

  lifecycle {
    precondition {
      condition     = var.create_bus
      error_message = "The archive records the custom bus: with create_bus = false set archive = null."
    }
  }
}
