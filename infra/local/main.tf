# The same stack as infra/, on the emulator: only the provider differs. Fake credentials and every
# endpoint on loopback. The account id is asked of the emulator's STS: security group rules that name
# another group compare it with the account the emulator answers, and re-plan with changes without it.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigateway     = var.emulator_endpoint
    cloudwatch     = var.emulator_endpoint
    cloudwatchlogs = var.emulator_endpoint
    dynamodb       = var.emulator_endpoint
    ec2            = var.emulator_endpoint
    elasticache    = var.emulator_endpoint
    events         = var.emulator_endpoint
    firehose       = var.emulator_endpoint
    iam            = var.emulator_endpoint
    kinesis        = var.emulator_endpoint
    kms            = var.emulator_endpoint
    lambda         = var.emulator_endpoint
    s3             = var.emulator_endpoint
    secretsmanager = var.emulator_endpoint
    sfn            = var.emulator_endpoint
    sns            = var.emulator_endpoint
    sqs            = var.emulator_endpoint
    sts            = var.emulator_endpoint
  }
}

module "stack" {
  source = "../stack"

  name_prefix   = var.name_prefix
  artifacts_dir = var.artifacts_dir
  # The local runtime polls the mappings itself; enabled mappings would let the emulator consume
  # the messages with a stand-in function (see docs/local.md).
  runtime = {
    event_source_mappings_enabled = false
    quick_retries                 = var.quick_retries
  }
  # The emulator's tables live as long as the emulator: nothing to protect.
  deletion_protection = false
}
