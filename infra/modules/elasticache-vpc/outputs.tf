output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "Private subnets, one per availability zone (in the order of var.availability_zones): where the functions run."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id]
}

output "lambda_security_group_id" {
  description = "Security group for the functions: the only one Redis and the endpoints admit."
  value       = aws_security_group.this["functions"].id
}

output "redis_security_group_id" {
  description = "Security group of the Redis nodes."
  value       = aws_security_group.this["redis"].id
}

output "endpoint_security_group_id" {
  description = "Security group of the interface endpoints."
  value       = aws_security_group.this["endpoints"].id
}

output "redis_host" {
  description = "Primary endpoint of the replication group (follows failover): REDIS_HOST of the functions."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "redis_port" {
  description = "Port of Redis: REDIS_PORT of the functions."
  value       = aws_elasticache_replication_group.this.port
}

output "auth_token_secret_arn" {
  description = "Secrets Manager secret whose SecretString is the AUTH token: REDIS_AUTH_SECRET_ARN of the functions."
  value       = aws_secretsmanager_secret.auth_token.arn
}

output "auth_token_read_statement" {
  description = "Policy statement (lambda-function policy_statements) that lets a function read the AUTH token; kms:Decrypt on kms_key_arn is needed too (lambda-function grants it)."
  value = {
    sid       = "ReadRedisAuthToken"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.auth_token.arn]
  }
}

output "replication_group_id" {
  description = "ID of the replication group (for alarms on its metrics)."
  value       = aws_elasticache_replication_group.this.id
}

output "member_clusters" {
  description = "Node (cache cluster) ids of the replication group: CloudWatch's CacheClusterId dimension for alarms on memory and evictions."
  value       = aws_elasticache_replication_group.this.member_clusters
}

output "parameter_group_name" {
  description = "Parameter group of Redis (maxmemory-policy noeviction)."
  value       = aws_elasticache_parameter_group.this.name
}

output "log_group_names" {
  description = "Log groups the module writes (flow logs, Redis slow and engine logs), all encrypted with kms_key_arn: add them to the key's log_group_name_patterns (kms-key module). They depend only on var.name, so no cycle."
  value       = values(local.log_group_names)
}
