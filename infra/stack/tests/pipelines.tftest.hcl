# Plans the whole stack against a mocked provider: which pipelines it deploys, the one output map and
# the account setting the APIs log through.
mock_provider "aws" {
  source = "../testing/aws"
}

variables {
  name_prefix   = "stack-test"
  artifacts_dir = "tests/artifacts"
}

run "every_pipeline_by_default" {
  command = plan

  assert {
    condition     = keys(output.pipelines) == ["etl", "notes", "reliable_messaging", "storage_first", "streaming_events"]
    error_message = "With no pipelines_enabled every pipeline is deployed and listed in the pipelines output"
  }
  assert {
    condition     = keys(nonsensitive(output.pipeline_secrets)) == ["etl", "notes", "reliable_messaging", "storage_first", "streaming_events"]
    error_message = "pipeline_secrets has an entry for every deployed pipeline"
  }
  assert {
    condition     = length(aws_api_gateway_account.this) == 1
    error_message = "The stack owns the region's API Gateway account setting by default"
  }
}

run "one_pipeline_left_out" {
  command = plan

  variables {
    pipelines_enabled = { etl = false }
  }

  assert {
    condition     = length(module.etl) == 0 && keys(output.pipelines) == ["notes", "reliable_messaging", "storage_first", "streaming_events"]
    error_message = "pipelines_enabled = { etl = false } leaves the ETL pipeline out and the others in"
  }
}

run "without_storage_first_the_account_setting_stays" {
  command = plan

  variables {
    pipelines_enabled = { storage_first = false }
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 1 && keys(output.pipelines) == ["etl", "notes", "reliable_messaging", "streaming_events"]
    error_message = "The account setting belongs to the stack, not to one pipeline"
  }
}

run "unknown_pipeline_key" {
  command = plan

  variables {
    pipelines_enabled = { storage-first = false }
  }

  expect_failures = [output.pipelines]
}

run "account_setting_managed_elsewhere" {
  command = plan

  variables {
    manage_account_logging_role = false
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.apigw_account_logging) == 0
    error_message = "manage_account_logging_role = false creates neither the role nor the setting"
  }
}

# Every pipeline's names start with the prefix: the strictest rule among them (ElastiCache replication
# group ids: a letter first, no '--', no trailing '-') applies to it.
run "name_prefix_fits_every_service" {
  command = plan

  variables {
    name_prefix = "1-ingest--"
  }

  expect_failures = [var.name_prefix]
}
