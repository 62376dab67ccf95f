output "pipelines" {
  description = "Each deployed pipeline's endpoints, queues, tables and functions, by key (the keys of local.pipelines in infra/stack/main.tf, e.g. storage_first): terraform output -json pipelines"
  value       = module.stack.pipelines
}

output "pipeline_secrets" {
  description = "Each deployed pipeline's sensitive values, by key (e.g. storage_first.api_key): terraform output -json pipeline_secrets"
  value       = module.stack.pipeline_secrets
  sensitive   = true
}
