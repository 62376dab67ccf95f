# Plans the bucket against a mocked provider and checks which keys the lifecycle may expire.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name        = "lifecycle-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "whole_bucket_by_default" {
  command = plan

  assert {
    condition     = [for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.filter[0].prefix if length(r.noncurrent_version_expiration) > 0] == [""]
    error_message = "By default one rule expires noncurrent versions of the whole bucket"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.noncurrent_version_expiration[0].noncurrent_days if length(r.noncurrent_version_expiration) > 0]) == 90
    error_message = "Noncurrent versions are kept noncurrent_version_expiration_days"
  }
}

run "listed_prefixes_only" {
  command = plan

  variables {
    noncurrent_version_expiration_prefixes = ["processed/", "reports/"]
  }

  assert {
    condition     = toset([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r.filter[0].prefix if length(r.noncurrent_version_expiration) > 0]) == toset(["processed/", "reports/"])
    error_message = "One noncurrent-expiration rule per listed prefix, none elsewhere"
  }
  assert {
    condition     = length([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r if length(r.expiration) > 0]) == 0
    error_message = "No rule expires current versions"
  }
  assert {
    condition     = length([for r in aws_s3_bucket_lifecycle_configuration.this.rule : r if length(r.abort_incomplete_multipart_upload) > 0 && r.filter[0].prefix == "" && length(r.noncurrent_version_expiration) == 0]) == 1
    error_message = "Incomplete multipart uploads are still aborted in the whole bucket, by a rule that expires nothing else"
  }
}

run "overlapping_prefixes_refused" {
  command = plan

  variables {
    noncurrent_version_expiration_prefixes = ["", "processed/"]
  }

  expect_failures = [var.noncurrent_version_expiration_prefixes]
}
