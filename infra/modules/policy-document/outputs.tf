output "json" {
  description = "The policy document (JSON)."
  value       = data.aws_iam_policy_document.this.json
}

output "statements" {
  description = "The statements by sid, as rendered (TLS deny first): effect, actions and resources sorted, principals and conditions, to review or test."
  value = {
    for s in local.statements : s.sid => {
      effect     = s.effect
      actions    = sort(s.actions)
      resources  = sort(s.resources)
      principals = s.principals
      conditions = [for c in s.conditions : "${c.test} ${c.variable} ${join(",", c.values)}"]
    }
  }
}
