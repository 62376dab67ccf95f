output "bucket_name" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "lifecycle_rules" {
  description = "What the lifecycle does where, read back from the configuration: per rule its key prefix (\"\" = whole bucket), the days after which noncurrent versions expire (null: never), whether current versions expire, and whether incomplete multipart uploads are aborted."
  value = [
    for r in aws_s3_bucket_lifecycle_configuration.this.rule : {
      id                          = r.id
      prefix                      = r.filter[0].prefix
      noncurrent_expiration_days  = one(r.noncurrent_version_expiration[*].noncurrent_days)
      expires_current_versions    = length(r.expiration) > 0
      aborts_incomplete_multipart = length(r.abort_incomplete_multipart_upload) > 0
    }
  ]
}
