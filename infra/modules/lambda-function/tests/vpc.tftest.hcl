# VPC placement: outside a VPC the role gets no EC2 permission at all; inside, exactly the network
# interface calls Lambda makes, on the given subnets and groups where EC2 allows naming them.
mock_provider "aws" {
  source = "../../testing/aws"
}

variables {
  function_name = "vpc-test"
  artifact_path = "tests/fixture-handler.zip"
  kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "outside_a_vpc_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0
    error_message = "Without vpc the function has no VPC configuration"
  }
  assert {
    condition     = length([for sid, s in output.permissions : sid if anytrue([for a in s.actions : startswith(a, "ec2:")])]) == 0
    error_message = "Without vpc the role may call no EC2 action"
  }
}

run "in_a_vpc" {
  command = plan

  variables {
    vpc = {
      subnet_ids         = ["subnet-0aaa", "subnet-0bbb"]
      security_group_ids = ["sg-0fff"]
    }
  }

  assert {
    condition     = aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-0aaa", "subnet-0bbb"]) && aws_lambda_function.this.vpc_config[0].security_group_ids == toset(["sg-0fff"])
    error_message = "The function runs in the given subnets with the given group"
  }
  assert {
    condition = output.permissions["VpcCreateNetworkInterface"].actions == tolist(["ec2:CreateNetworkInterface"]) && output.permissions["VpcCreateNetworkInterface"].resources == tolist([
      "arn:aws:ec2:eu-west-1:123456789012:network-interface/*",
      "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0fff",
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0aaa",
      "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0bbb",
    ])
    error_message = "Interfaces may be created only in the given subnets with the given groups"
  }
  assert {
    condition     = output.permissions["VpcManageNetworkInterfaces"].actions == tolist(["ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"]) && output.permissions["VpcManageNetworkInterfaces"].resources == tolist(["arn:aws:ec2:eu-west-1:123456789012:network-interface/*"])
    error_message = "Deleting and readdressing is limited to network interfaces of the account and region"
  }
  assert {
    condition     = output.permissions["VpcDescribe"].actions == tolist(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]) && output.permissions["VpcDescribe"].resources == tolist(["*"])
    error_message = "Only the two Describe calls, which take no resource, are granted on every resource"
  }
  assert {
    condition     = toset([for sid, s in output.permissions : sid if anytrue([for a in s.actions : startswith(a, "ec2:")])]) == toset(["VpcCreateNetworkInterface", "VpcDescribe", "VpcManageNetworkInterfaces"])
    error_message = "No other statement grants EC2 actions"
  }
}

run "vpc_without_security_group_refused" {
  command = plan

  variables {
    vpc = {
      subnet_ids         = ["subnet-0aaa"]
      security_group_ids = []
    }
  }

  expect_failures = [var.vpc]
}
