output "storage_first" {
  description = "Endpoints and queues of the storage-first pipeline."
  value       = module.stack.storage_first
}

output "storage_first_api_key" {
  description = "API key of the storage-first API: terraform output -raw storage_first_api_key"
  value       = module.stack.storage_first_api_key
  sensitive   = true
}

output "etl" {
  description = "Bucket, queues and tables of the ETL pipeline."
  value       = module.stack.etl
}

output "notes" {
  description = "API, table and queues of the notes pipeline."
  value       = module.stack.notes
}

output "notes_api_key" {
  description = "API key of the notes API: terraform output -raw notes_api_key"
  value       = module.stack.notes_api_key
  sensitive   = true
}
