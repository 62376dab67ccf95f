# Applies the module against a mocked provider: an encrypted direct-PUT stream delivering to S3 under
# time-partitioned prefixes through a Lambda processor, and a role limited to the bucket, key, function
# and its own log streams.
mock_provider "aws" {
  source = "../../testing/aws"

  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/kinesisfirehose/lake-test" }
  }
}

variables {
  name                = "lake-test"
  bucket_arn          = "arn:aws:s3:::lake-test-bucket"
  kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  prefix              = "events/year=!{timestamp:yyyy}/"
  error_output_prefix = "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/"
  processor = {
    lambda_arn        = "arn:aws:lambda:eu-west-1:123456789012:function:transformer"
    number_of_retries = 5
    buffer_size_mb    = 3
  }
}

run "stream_with_processor" {
  command = apply

  assert {
    condition = (
      aws_kinesis_firehose_delivery_stream.this.destination == "extended_s3" &&
      aws_kinesis_firehose_delivery_stream.this.server_side_encryption[0].enabled &&
      aws_kinesis_firehose_delivery_stream.this.server_side_encryption[0].key_type == "CUSTOMER_MANAGED_CMK" &&
      aws_kinesis_firehose_delivery_stream.this.server_side_encryption[0].key_arn == var.kms_key_arn
    )
    error_message = "A direct-PUT stream encrypted with the CMK"
  }
  assert {
    condition = (
      aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].prefix == var.prefix &&
      aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].error_output_prefix == var.error_output_prefix &&
      aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].kms_key_arn == var.kms_key_arn &&
      aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].buffering_size == 5 &&
      aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].buffering_interval == 300
    )
    error_message = "Objects land under the prefix (failures under the error prefix), encrypted with the key, buffered 5 MB / 300 s by default"
  }
  assert {
    condition = {
      for p in aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].processing_configuration[0].processors[0].parameters : p.parameter_name => p.parameter_value
      } == {
      LambdaArn       = "arn:aws:lambda:eu-west-1:123456789012:function:transformer"
      NumberOfRetries = "5"
      BufferSizeInMBs = "3"
    }
    error_message = "The processor is the function, with its retries and its own buffer (the default 60 s interval left out, as Firehose reports it)"
  }
  assert {
    condition = (
      output.permissions["DeliverToBucket"].resources == tolist(["arn:aws:s3:::lake-test-bucket", "arn:aws:s3:::lake-test-bucket/*"]) &&
      output.permissions["EncryptObjects"].resources == tolist([var.kms_key_arn]) &&
      output.permissions["InvokeProcessor"].actions == tolist(["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"]) &&
      output.permissions["InvokeProcessor"].resources == tolist([var.processor.lambda_arn]) &&
      keys(output.permissions) == ["DeliverToBucket", "EncryptObjects", "InvokeProcessor", "WriteOwnLogs"]
    )
    error_message = "The role writes to the one bucket with the one key, invokes the one function and logs"
  }
  assert {
    condition     = alltrue([for s in ["DestinationDelivery", "LambdaProcessing"] : contains(keys(aws_cloudwatch_log_stream.this), s)]) && aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].cloudwatch_logging_options[0].log_group_name == "/aws/kinesisfirehose/lake-test"
    error_message = "Delivery and processing errors are logged to the stream's KMS log group"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == var.kms_key_arn
    error_message = "The log group is encrypted with the key"
  }
}

run "without_processor" {
  command = apply

  variables {
    processor           = null
    prefix              = ""
    error_output_prefix = null
    buffering           = { size_mb = 1, interval_seconds = 0 }
  }

  assert {
    condition = (
      length(aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].processing_configuration) == 0 &&
      !contains(keys(output.permissions), "InvokeProcessor") && keys(aws_cloudwatch_log_stream.this) == ["DestinationDelivery"] &&
      aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].buffering_interval == 0
    )
    error_message = "Without a processor the role invokes nothing; zero buffering is accepted"
  }
}

run "processor_defaults_left_out" {
  command = plan

  variables {
    processor = { lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:transformer", number_of_retries = 3, buffer_size_mb = 1, buffer_interval_seconds = 1 }
  }

  assert {
    condition = {
      for p in aws_kinesis_firehose_delivery_stream.this.extended_s3_configuration[0].processing_configuration[0].processors[0].parameters : p.parameter_name => p.parameter_value
    } == { LambdaArn = "arn:aws:lambda:eu-west-1:123456789012:function:transformer", BufferIntervalInSeconds = "1" }
    error_message = "Parameters at Firehose's defaults (3 retries, 1 MB, 60 s) are not sent: the provider leaves them out of the state and would plan them again"
  }
}

run "expressions_need_an_error_prefix" {
  command = plan

  variables {
    error_output_prefix = null
  }

  expect_failures = [aws_kinesis_firehose_delivery_stream.this]
}

run "error_prefix_without_output_type" {
  command = plan

  variables {
    error_output_prefix = "errors/!{timestamp:yyyy}/"
  }

  expect_failures = [var.error_output_prefix]
}

run "processor_retries_out_of_range" {
  command = plan

  variables {
    processor = { lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:transformer", number_of_retries = 301 }
  }

  expect_failures = [var.processor]
}

run "processor_buffer_over_lambda_payload" {
  command = plan

  variables {
    processor = { lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:transformer", buffer_size_mb = 4 }
  }

  expect_failures = [var.processor]
}

run "buffering_out_of_range" {
  command = plan

  variables {
    buffering = { size_mb = 129 }
  }

  expect_failures = [var.buffering]
}

run "prefix_starting_with_slash" {
  command = plan

  variables {
    prefix = "/events/"
  }

  expect_failures = [var.prefix]
}
