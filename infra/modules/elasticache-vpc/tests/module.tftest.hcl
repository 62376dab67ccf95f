# Applies the module on the mocked provider. The network: private subnets in every zone, no route out,
# the endpoints, security groups that admit Redis and the endpoints only from the functions' group
# (never from a CIDR). Redis: TLS, encryption at rest, AUTH from the secret, multi-AZ failover,
# noeviction, log delivery and snapshots.
mock_provider "aws" {
  source = "../../testing/aws"
}

# GetRandomPassword's answer (the shared mock would give 8 characters; ElastiCache needs 16 or more).
override_data {
  target = data.aws_secretsmanager_random_password.auth_token
  values = { random_password = "MockToken0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789ab" }
}

variables {
  name               = "module-test"
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr           = "10.40.0.0/16"
}

run "private_subnets_in_every_zone" {
  command = apply

  assert {
    condition     = toset([for s in aws_subnet.private : s.availability_zone]) == toset(var.availability_zones)
    error_message = "One subnet per zone"
  }
  assert {
    condition     = alltrue([for s in aws_subnet.private : !s.map_public_ip_on_launch])
    error_message = "No subnet gives public addresses"
  }
  assert {
    condition     = length(distinct([for s in aws_subnet.private : s.cidr_block])) == 3 && alltrue([for s in aws_subnet.private : cidrsubnet(s.cidr_block, 0, 0) == s.cidr_block && startswith(s.cidr_block, "10.40.") && endswith(s.cidr_block, "/19")])
    error_message = "Each subnet is its own eighth of the VPC"
  }
  assert {
    condition     = length(output.private_subnet_ids) == 3 && output.private_subnet_ids[0] == aws_subnet.private["eu-west-1a"].id
    error_message = "private_subnet_ids lists the subnets in the order of the zones"
  }
  assert {
    condition     = length(aws_route_table_association.private) == 3 && alltrue([for a in aws_route_table_association.private : a.route_table_id == aws_route_table.private.id])
    error_message = "Every subnet uses the private route table"
  }
  assert {
    condition     = length(aws_route_table.private.route) == 0
    error_message = "The private route table has no route of its own (no internet gateway, no NAT)"
  }
  assert {
    condition     = aws_vpc.this.enable_dns_support && aws_vpc.this.enable_dns_hostnames
    error_message = "Private DNS of the interface endpoints needs DNS support and hostnames"
  }
}

run "endpoints_instead_of_nat" {
  command = apply

  assert {
    condition     = toset(keys(aws_vpc_endpoint.gateway)) == toset(["s3", "dynamodb"]) && alltrue([for e in aws_vpc_endpoint.gateway : e.vpc_endpoint_type == "Gateway" && e.route_table_ids == toset([aws_route_table.private.id])])
    error_message = "S3 and DynamoDB have gateway endpoints on the private route table"
  }
  assert {
    condition     = aws_vpc_endpoint.gateway["s3"].service_name == "com.amazonaws.eu-west-1.s3"
    error_message = "Endpoint service names are regional"
  }
  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["states", "secretsmanager", "kms", "logs"])
    error_message = "By default Step Functions, Secrets Manager, KMS and Logs have interface endpoints"
  }
  assert {
    condition = alltrue([for e in aws_vpc_endpoint.interface :
      e.vpc_endpoint_type == "Interface" && e.private_dns_enabled && e.security_group_ids == toset([aws_security_group.this["endpoints"].id]) && length(e.subnet_ids) == 3
    ])
    error_message = "Interface endpoints use private DNS, every subnet and only the endpoints' group"
  }
}

run "security_groups_admit_only_the_functions" {
  command = apply

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group admits and sends nothing"
  }
  assert {
    condition = alltrue([for r in aws_vpc_security_group_ingress_rule.from_functions :
      r.referenced_security_group_id == aws_security_group.this["functions"].id && r.cidr_ipv4 == null && r.cidr_ipv6 == null && r.prefix_list_id == null
    ])
    error_message = "Every ingress rule admits the functions' group only, never a CIDR or a prefix list"
  }
  assert {
    condition = [for r in aws_vpc_security_group_ingress_rule.from_functions : r.from_port if r.security_group_id == aws_security_group.this["redis"].id] == [6379] && [
      for r in aws_vpc_security_group_ingress_rule.from_functions : r.to_port if r.security_group_id == aws_security_group.this["redis"].id
    ] == [6379]
    error_message = "Redis admits exactly one port, 6379, from the functions"
  }
  assert {
    condition     = [for r in aws_vpc_security_group_ingress_rule.from_functions : r.from_port if r.security_group_id == aws_security_group.this["endpoints"].id] == [443]
    error_message = "The endpoints admit HTTPS only"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.security_group_ids == toset([aws_security_group.this["redis"].id])
    error_message = "Redis is in its own group only"
  }
  assert {
    condition     = output.lambda_security_group_id == aws_security_group.this["functions"].id
    error_message = "lambda_security_group_id is the group Redis and the endpoints admit"
  }
}

run "functions_send_only_where_they_need" {
  command = apply

  assert {
    condition     = toset(keys(aws_vpc_security_group_egress_rule.functions)) == toset(["redis", "endpoints", "s3", "dynamodb"])
    error_message = "The functions' group sends to Redis, the endpoints, S3 and DynamoDB, nowhere else"
  }
  assert {
    condition     = alltrue([for r in aws_vpc_security_group_egress_rule.functions : r.cidr_ipv4 == null && r.cidr_ipv6 == null && r.security_group_id == aws_security_group.this["functions"].id])
    error_message = "No egress rule of the functions names a CIDR"
  }
  assert {
    condition = (
      aws_vpc_security_group_egress_rule.functions["redis"].referenced_security_group_id == aws_security_group.this["redis"].id &&
      aws_vpc_security_group_egress_rule.functions["redis"].from_port == 6379 &&
      aws_vpc_security_group_egress_rule.functions["endpoints"].referenced_security_group_id == aws_security_group.this["endpoints"].id &&
      aws_vpc_security_group_egress_rule.functions["endpoints"].from_port == 443
    )
    error_message = "Redis on 6379 and the endpoints on 443, each by its group"
  }
  assert {
    condition = alltrue([for k in ["s3", "dynamodb"] :
      aws_vpc_security_group_egress_rule.functions[k].prefix_list_id == aws_vpc_endpoint.gateway[k].prefix_list_id && aws_vpc_security_group_egress_rule.functions[k].from_port == 443 && aws_vpc_security_group_egress_rule.functions[k].to_port == 443
    ])
    error_message = "S3 and DynamoDB are reached on 443 through their gateway endpoints' prefix lists"
  }
}

run "endpoints_reach_only_this_account" {
  command = apply

  assert {
    condition = alltrue([for e in concat(values(aws_vpc_endpoint.gateway), values(aws_vpc_endpoint.interface)) :
      jsondecode(e.policy).Statement[0].Condition == { StringEquals = { "aws:ResourceAccount" = "123456789012" } } && length(jsondecode(e.policy).Statement) == 1
    ])
    error_message = "Every endpoint lets requests reach this account's resources only"
  }
}

run "endpoints_full_access_when_asked" {
  command = apply

  variables {
    endpoints_own_account_only = false
  }

  assert {
    condition = alltrue([for e in concat(values(aws_vpc_endpoint.gateway), values(aws_vpc_endpoint.interface)) :
      jsondecode(e.policy).Statement == [{ Sid = "FullAccess", Effect = "Allow", Principal = "*", Action = "*", Resource = "*" }]
    ])
    error_message = "endpoints_own_account_only = false writes the endpoints' default policy (a null policy would keep the previous one)"
  }
}

run "no_interface_endpoints" {
  command = apply

  variables {
    interface_endpoint_services = []
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && length(aws_vpc_endpoint.gateway) == 2
    error_message = "Without interface endpoints the gateway endpoints stay"
  }
}

run "flow_logs_encrypted" {
  command = apply

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL" && aws_flow_log.this.log_destination == aws_cloudwatch_log_group.this["flow-logs"].arn && aws_flow_log.this.vpc_id == aws_vpc.this.id
    error_message = "Flow logs record all traffic of the VPC into their log group"
  }
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.this : g.kms_key_id == var.kms_key_arn && g.retention_in_days == 365])
    error_message = "Every log group is encrypted with the key and kept a year"
  }
  assert {
    condition     = toset(output.log_group_names) == toset(["/aws/vpc/module-test/flow-logs", "/aws/elasticache/module-test/slow-log", "/aws/elasticache/module-test/engine-log"])
    error_message = "log_group_names names every log group, for the key policy"
  }
}

run "encrypted_and_authenticated" {
  command = apply

  assert {
    condition     = aws_elasticache_replication_group.this.transit_encryption_enabled && aws_elasticache_replication_group.this.transit_encryption_mode == "required"
    error_message = "TLS is required in transit"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.at_rest_encryption_enabled == "true" && aws_elasticache_replication_group.this.kms_key_id == var.kms_key_arn
    error_message = "Encrypted at rest with the key"
  }
  assert {
    condition     = nonsensitive(aws_elasticache_replication_group.this.auth_token != null && aws_elasticache_replication_group.this.auth_token != "" && aws_elasticache_replication_group.this.auth_token == aws_secretsmanager_secret_version.auth_token.secret_string)
    error_message = "Redis requires the AUTH token the secret holds"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.auth_token_update_strategy == "ROTATE"
    error_message = "A new token is added beside the old one, so functions holding the old one keep working"
  }
  assert {
    condition     = data.aws_secretsmanager_random_password.auth_token.password_length == 64 && data.aws_secretsmanager_random_password.auth_token.exclude_punctuation
    error_message = "The token is 64 letters and digits (ElastiCache refuses most punctuation)"
  }
  assert {
    condition     = aws_secretsmanager_secret.auth_token.kms_key_id == var.kms_key_arn && output.auth_token_secret_arn == aws_secretsmanager_secret.auth_token.arn
    error_message = "The secret is encrypted with the key and is the one the functions are told to read"
  }
  assert {
    condition     = output.auth_token_read_statement.actions == ["secretsmanager:GetSecretValue"] && output.auth_token_read_statement.resources == [aws_secretsmanager_secret.auth_token.arn]
    error_message = "Functions are granted reading that one secret"
  }
}

run "multi_az_with_failover" {
  command = apply

  variables {
    num_cache_clusters = 4
  }

  assert {
    condition     = aws_elasticache_replication_group.this.automatic_failover_enabled && aws_elasticache_replication_group.this.multi_az_enabled && aws_elasticache_replication_group.this.num_cache_clusters == 4
    error_message = "Multi-AZ with automatic failover and the requested nodes"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.preferred_cache_cluster_azs == tolist(["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1a"])
    error_message = "Nodes spread over the zones in order and wrap around, so the primary and its first replica are in different zones"
  }
  assert {
    condition     = aws_elasticache_subnet_group.this.subnet_ids == toset([for s in aws_subnet.private : s.id]) && aws_elasticache_replication_group.this.subnet_group_name == aws_elasticache_subnet_group.this.name
    error_message = "Redis lives in the private subnets"
  }
}

run "never_evicts" {
  command = apply

  assert {
    condition     = [for p in aws_elasticache_parameter_group.this.parameter : p.value if p.name == "maxmemory-policy"] == ["noeviction"]
    error_message = "maxmemory-policy is noeviction"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.parameter_group_name == aws_elasticache_parameter_group.this.name && output.parameter_group_name == aws_elasticache_parameter_group.this.name
    error_message = "Redis uses its own parameter group"
  }
}

run "family_follows_engine" {
  command = plan

  variables {
    engine_version = "6.2"
  }

  assert {
    condition     = aws_elasticache_parameter_group.this.family == "redis6.x" && aws_elasticache_parameter_group.this.name == "module-test-redis6-x"
    error_message = "Engine 6.2 takes the redis6.x family"
  }
}

run "logs_and_snapshots" {
  command = apply

  assert {
    condition = toset([for l in aws_elasticache_replication_group.this.log_delivery_configuration : "${l.log_type}>${l.destination_type}:${l.destination}"]) == toset([
      "slow-log>cloudwatch-logs:/aws/elasticache/module-test/slow-log",
      "engine-log>cloudwatch-logs:/aws/elasticache/module-test/engine-log",
    ])
    error_message = "Slow and engine logs go to their encrypted log groups"
  }
  assert {
    condition     = aws_elasticache_replication_group.this.snapshot_retention_limit == 7 && aws_elasticache_replication_group.this.final_snapshot_identifier == "module-test-final"
    error_message = "Daily snapshots kept 7 days and a final snapshot on destroy"
  }
  assert {
    condition     = output.redis_host == aws_elasticache_replication_group.this.primary_endpoint_address && output.redis_port == 6379
    error_message = "redis_host is the primary endpoint (it follows failover)"
  }
}

run "no_final_snapshot_when_asked" {
  command = plan

  variables {
    final_snapshot = false
  }

  assert {
    condition     = aws_elasticache_replication_group.this.final_snapshot_identifier == null
    error_message = "final_snapshot = false takes none"
  }
}
