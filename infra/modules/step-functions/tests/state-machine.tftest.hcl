# Applies the module against a mocked provider: the role grants the key under this state machine's
# encryption context plus exactly the caller's statements; logging, tracing and encryption are on.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name        = "sfn-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  definition  = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
  policy_statements = [
    { sid = "InvokeTasks", actions = ["lambda:InvokeFunction"], resources = ["arn:aws:lambda:eu-west-1:123456789012:function:task"] },
  ]
}

run "role_logging_tracing_encryption" {
  command = apply

  assert {
    condition     = keys(module.policy.statements) == ["InvokeTasks", "UseKeyForLogDelivery", "UseKeyForThisStateMachine"] && output.permissions["InvokeTasks"].actions == tolist(["lambda:InvokeFunction"])
    error_message = "The role grants the caller's statements and the key, nothing else inline"
  }
  assert {
    condition     = output.permissions["UseKeyForThisStateMachine"].conditions == ["StringEquals kms:EncryptionContext:aws:states:stateMachineArn arn:aws:states:eu-west-1:123456789012:stateMachine:sfn-test"]
    error_message = "The key is usable only under this state machine's encryption context"
  }
  assert {
    condition     = output.permissions["UseKeyForLogDelivery"].actions == tolist(["kms:GenerateDataKey"]) && output.permissions["UseKeyForLogDelivery"].conditions == ["ArnLike kms:EncryptionContext:SourceArn arn:aws:logs:eu-west-1:123456789012:*"]
    error_message = "Log delivery may only generate data keys, in CloudWatch Logs' encryption context of this account and region"
  }
  assert {
    condition     = module.assume.statements["StepFunctions"].principals.identifiers == tolist(["states.amazonaws.com"]) && contains(module.assume.statements["StepFunctions"].conditions, "ArnLike aws:SourceArn arn:aws:states:eu-west-1:123456789012:stateMachine:sfn-test")
    error_message = "Only Step Functions, for this state machine, may assume the role"
  }
  assert {
    condition = (
      aws_sfn_state_machine.this.type == "STANDARD" &&
      aws_sfn_state_machine.this.logging_configuration[0].level == "ALL" && aws_sfn_state_machine.this.logging_configuration[0].include_execution_data &&
      aws_sfn_state_machine.this.logging_configuration[0].log_destination == "${aws_cloudwatch_log_group.this.arn}:*" &&
      aws_sfn_state_machine.this.tracing_configuration[0].enabled && length(aws_iam_role_policy_attachment.xray) == 1
    )
    error_message = "A Standard state machine logging everything with execution data to its log group, traced by X-Ray"
  }
  assert {
    condition     = aws_sfn_state_machine.this.encryption_configuration[0].type == "CUSTOMER_MANAGED_KMS_KEY" && aws_sfn_state_machine.this.encryption_configuration[0].kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "Definition, history and logs are encrypted with the caller's key"
  }
  assert {
    condition     = output.log_group_name == "/aws/vendedlogs/states/sfn-test"
    error_message = "The log group is a vended-logs group named after the state machine"
  }
}

run "no_tracing" {
  command = plan

  variables {
    tracing_enabled = false
  }

  assert {
    condition     = !aws_sfn_state_machine.this.tracing_configuration[0].enabled && length(aws_iam_role_policy_attachment.xray) == 0
    error_message = "Without tracing the role gets no X-Ray policy"
  }
}

run "wildcard_without_reason_refused" {
  command = plan

  variables {
    policy_statements = [
      { sid = "Invoke", actions = ["lambda:InvokeFunction"], resources = ["arn:aws:lambda:eu-west-1:123456789012:function:task:*"] },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "definition_must_be_a_state_machine" {
  command = plan

  variables {
    definition = "{\"States\":{}}"
  }

  expect_failures = [var.definition]
}
