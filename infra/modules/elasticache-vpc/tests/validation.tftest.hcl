# Inputs the module refuses before anything is planned. A run that lists several variables in
# expect_failures passes only if every one of them fails its own validation.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  name               = "validation-test"
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "defaults_accepted" {
  command = plan

  assert {
    condition     = aws_elasticache_parameter_group.this.family == "redis7"
    error_message = "The default engine 7.1 takes the redis7 family"
  }
}

run "each_bad_input_refused" {
  command = plan

  variables {
    availability_zones          = ["eu-west-1a"]
    num_cache_clusters          = 1
    engine_version              = "6.0"
    vpc_cidr                    = "10.0.0.0/26"
    name                        = "Reliable--Messaging"
    interface_endpoint_services = ["states", "s3"]
    kms_key_arn                 = "alias/reliable-messaging"
    log_retention_days          = 30
  }

  expect_failures = [
    var.availability_zones,          # one zone: no failover
    var.num_cache_clusters,          # no replica
    var.engine_version,              # no slow/engine log delivery before 6.2
    var.vpc_cidr,                    # smaller than /24
    var.name,                        # uppercase and a double hyphen: ElastiCache refuses the id
    var.interface_endpoint_services, # S3 has its gateway endpoint
    var.kms_key_arn,                 # an alias, not a key ARN
    var.log_retention_days,          # less than a year
  ]
}

run "same_zone_twice_and_long_name_refused" {
  command = plan

  variables {
    availability_zones = ["eu-west-1a", "eu-west-1a"]
    name               = "a-name-of-forty-one-characters-for-redis1"
  }

  expect_failures = [var.availability_zones, var.name]
}
