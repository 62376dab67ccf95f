output "state_machine_arn" {
  description = "ARN of the state machine (StartExecution on it)."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the state machine (the StateMachineArn dimension of AWS/States metrics takes the ARN)."
  value       = aws_sfn_state_machine.this.name
}

output "role_arn" {
  description = "ARN of the state machine's role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Log group of the executions."
  value       = aws_cloudwatch_log_group.this.name
}

output "permissions" {
  description = "What the role's inline policy grants, by statement sid: actions and resources (sorted), to review or test. Log delivery and X-Ray are separate policies."
  value = {
    for sid, s in module.policy.statements : sid => {
      actions    = s.actions
      resources  = s.resources
      conditions = s.conditions
    }
  }
}
