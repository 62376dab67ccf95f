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
