data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # One private subnet per zone, each an eighth of the VPC (up to 8 zones).
  subnets    = { for i, az in var.availability_zones : az => cidrsubnet(var.vpc_cidr, 3, i) }
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  log_group_names = {
    flow-logs  = "/aws/vpc/${var.name}/flow-logs"
    slow-log   = "/aws/elasticache/${var.name}/slow-log"
    engine-log = "/aws/elasticache/${var.name}/engine-log"
  }
}

# A VPC with private subnets only: no internet gateway and no NAT. The functions reach AWS through the
# endpoints below, and nothing in the VPC can reach (or be reached from) the internet.
resource "aws_vpc" "this" {
  cidr_block = var.vpc_cidr
  # Private DNS of the interface endpoints needs both.
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(var.tags, { Name = var.name })
}

# The default security group admits nothing and sends nothing: every resource gets its own group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-default-closed" })
}

resource "aws_subnet" "private" {
  for_each = local.subnets

  vpc_id                  = aws_vpc.this.id
  availability_zone       = each.key
  cidr_block              = each.value
  map_public_ip_on_launch = false
  tags                    = merge(var.tags, { Name = "${var.name}-private-${each.key}" })
}

# Only the VPC's local route, plus the gateway endpoints' routes to S3 and DynamoDB.
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.this.id
  tags   = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

# Without internet access the endpoints are the only way out of the VPC: their policy lets requests
# reach only this account's resources, so code in the VPC cannot copy data to another account's bucket,
# table or secret through them.
locals {
  own_account_only = merge(local.full_access, {
    Sid       = "OwnAccountResourcesOnly"
    Condition = { StringEquals = { "aws:ResourceAccount" = local.account_id } }
  })
  # Turned off, the default policy is written out: a null policy would keep the previous one.
  full_access     = { Sid = "FullAccess", Effect = "Allow", Principal = "*", Action = "*", Resource = "*" }
  endpoint_policy = var.endpoints_own_account_only ? jsonencode({ Version = "2012-10-17", Statement = [local.own_account_only] }) : jsonencode({ Version = "2012-10-17", Statement = [local.full_access] })
}

resource "aws_vpc_endpoint" "gateway" {
  for_each = toset(["s3", "dynamodb"])

  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  policy            = local.endpoint_policy
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_endpoint" "interface" {
  for_each = toset(var.interface_endpoint_services)

  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  policy              = local.endpoint_policy
  subnet_ids          = [for s in aws_subnet.private : s.id]
  security_group_ids  = [aws_security_group.this["endpoints"].id]
  tags                = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# Three groups, no CIDR anywhere: the functions' group may send only to Redis' group (var.port), to the
# endpoints' group (443) and to the S3 and DynamoDB prefix lists (443); Redis and the endpoints admit
# only the functions' group. None of them has a rule to or from the internet.
locals {
  security_groups = {
    functions = "Functions of ${var.name}: out to Redis, the VPC endpoints, S3 and DynamoDB only"
    redis     = "Redis of ${var.name}: in from the functions' group only"
    endpoints = "Interface endpoints of ${var.name}: HTTPS in from the functions' group only"
  }

  # Ingress of Redis and the endpoints, each from the functions' group.
  ingress_from_functions = {
    redis     = { port = var.port, description = "Redis (TLS) from the functions" }
    endpoints = { port = 443, description = "HTTPS from the functions to the AWS APIs" }
  }

  functions_egress = merge(
    { for k, r in local.ingress_from_functions : k => { port = r.port, security_group = aws_security_group.this[k].id, prefix_list = null, description = "To ${k}: ${r.description}" } },
    { for k, e in aws_vpc_endpoint.gateway : k => { port = 443, security_group = null, prefix_list = e.prefix_list_id, description = "HTTPS to ${k} through its gateway endpoint" } },
  )
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:The functions' group is attached by the caller's Lambda functions (output lambda_security_group_id); Redis' and the endpoints' groups are attached here.
  for_each = local.security_groups

  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = aws_vpc.this.id
  tags        = merge(var.tags, { Name = "${var.name}-${each.key}" })

  # Rules live in the rule resources below; a group created without inline rules has none (Terraform
  # removes the default allow-all egress).
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_functions" {
  for_each = local.ingress_from_functions

  security_group_id            = aws_security_group.this[each.key].id
  referenced_security_group_id = aws_security_group.this["functions"].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "functions" {
  for_each = local.functions_egress

  security_group_id            = aws_security_group.this["functions"].id
  referenced_security_group_id = each.value.security_group
  prefix_list_id               = each.value.prefix_list
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
  tags                         = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.log_group_names

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# Flow logs of every interface in the VPC (accepted and rejected), to show what tried to go where.
resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.this["flow-logs"].arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
  tags                 = merge(var.tags, { Name = var.name })
}

module "flow_logs_policy" {
  source = "../policy-document"
  statements = [{
    sid       = "WriteFlowLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.this["flow-logs"].arn}:*"]
  }]
}

resource "aws_iam_role" "flow_logs" {
  name = "${var.name}-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc-flow-log/*" }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "${var.name}-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = module.flow_logs_policy.json
}
