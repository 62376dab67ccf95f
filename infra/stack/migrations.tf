# State moves of earlier refactorings: existing stacks keep their resources under the new addresses
# instead of destroying and recreating them.

# Until issue 10 the storage-first API's module managed API Gateway's account setting (apigw-account.tf).
moved {
  from = module.storage_first[0].module.api.aws_iam_role.account_logging[0]
  to   = aws_iam_role.apigw_account_logging[0]
}

moved {
  from = module.storage_first[0].module.api.aws_iam_role_policy_attachment.account_logging[0]
  to   = aws_iam_role_policy_attachment.apigw_account_logging[0]
}

moved {
  from = module.storage_first[0].module.api.aws_api_gateway_account.this[0]
  to   = aws_api_gateway_account.this[0]
}
