# State moves of earlier refactorings: existing stacks keep their resources under the new addresses
# instead of destroying and recreating them. Issue 10: event source mappings belong to their function.

moved {
  from = aws_lambda_event_source_mapping.loader
  to   = module.loader.aws_lambda_event_source_mapping.this["queue"]
}

# Issue 10: the loaded rows' table is not named after the sample schema's orders.
moved {
  from = module.table
  to   = module.rows
}

# Issue 12: the sweeper's schedule comes from the eventbridge module (which adopts the generated target
# id and the AllowSchedule statement id as they are).
moved {
  from = aws_cloudwatch_event_rule.sweep
  to   = module.schedule.aws_cloudwatch_event_rule.this["sweep"]
}

moved {
  from = aws_cloudwatch_event_target.sweep
  to   = module.schedule.aws_cloudwatch_event_target.this["sweep/sweeper"]
}

moved {
  from = aws_lambda_permission.sweep
  to   = module.schedule.aws_lambda_permission.this["sweep/sweeper"]
}
