output "pipelines" {
  description = "Each deployed pipeline's endpoints, queues, tables and functions, by key (storage_first, etl, notes)."
  value       = module.stack.pipelines
}

output "pipeline_secrets" {
  description = "Each deployed pipeline's sensitive values, by key (e.g. storage_first.api_key)."
  value       = module.stack.pipeline_secrets
  sensitive   = true
}
