# State moves of earlier refactorings: existing stacks keep their resources under the new addresses
# instead of destroying and recreating them. Issue 10: event source mappings belong to their function.

moved {
  from = aws_lambda_event_source_mapping.forwarder
  to   = module.forwarder.aws_lambda_event_source_mapping.this["stream"]
}

moved {
  from = aws_lambda_event_source_mapping.word_count
  to   = module.word_count.aws_lambda_event_source_mapping.this["queue"]
}
