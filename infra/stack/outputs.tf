output "pipelines" {
  description = "Each deployed pipeline's summary (endpoints, queues, tables, functions, alarm topic), by key (the keys of local.pipelines in main.tf, e.g. storage_first). Disabled pipelines are absent."
  value       = { for key, instances in local.pipelines : key => instances[0].summary if length(instances) > 0 }

  precondition {
    condition     = alltrue([for key in keys(var.pipelines_enabled) : contains(keys(local.pipelines), key)])
    error_message = "pipelines_enabled names a pipeline this stack does not have; the keys are: ${join(", ", keys(local.pipelines))}."
  }
}

output "pipeline_secrets" {
  description = "Each deployed pipeline's sensitive values (e.g. api_key), by key: terraform output -json pipeline_secrets."
  value       = { for key, instances in local.pipelines : key => instances[0].secrets if length(instances) > 0 }
  sensitive   = true
}
