# tflint configuration for every Terraform configuration under infra/ (`make lint`, and the infra tier
# of `make test`), run as `tflint --recursive --config=<this file>` from infra/, like the
# terraform_tflint hook of the terraform-aws-modules pre-commit setup. A finding is fixed, or disabled on
# the line above it with its reason: `# tflint-ignore: rule_name # reason`.
#
# Plugins: scripts/setup.sh builds tflint and the AWS ruleset below from the Go module proxy and
# installs the ruleset where `tflint --init` would put it, under TFLINT_PLUGIN_DIR
# (.cache/tflint.d/plugins/github.com/terraform-linters/tflint-ruleset-aws/<version>/), because
# `tflint --init` downloads its release from GitHub, which this project's machines cannot reach.
# With internet access, `TFLINT_PLUGIN_DIR=.cache/tflint.d/plugins tflint --init --config=.tflint.hcl`
# installs the same version (signature checked) and setup then leaves it alone.
config {
  # Each module and pipeline is linted in its own folder, so module calls are not followed.
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

plugin "aws" {
  enabled = true
  version = "0.36.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}
