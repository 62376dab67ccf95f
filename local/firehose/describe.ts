import { DescribeDeliveryStreamCommand, ListDeliveryStreamsCommand, type DeliveryStreamDescription, type FirehoseClient } from '@aws-sdk/client-firehose';
import { FIREHOSE_DEFAULTS, type DeliveryStreamConfig } from './delivery';

const MiB = 1024 * 1024;

/** What the local data path needs from a delivery stream with an extended S3 destination; a reason when it cannot run it. */
export function deliveryStreamConfig(description: DeliveryStreamDescription): DeliveryStreamConfig | { problem: string } {
  const destination = description.Destinations?.[0];
  const extended = destination?.ExtendedS3DestinationDescription;
  const s3 = extended ?? destination?.S3DestinationDescription;
  if (!s3?.BucketARN) return { problem: 'only (extended) S3 destinations run locally' };
  const compression = s3.CompressionFormat ?? 'UNCOMPRESSED';
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') return { problem: `${compression} compression is not emulated` };
  if (extended?.DataFormatConversionConfiguration?.Enabled || extended?.DynamicPartitioningConfiguration?.Enabled) return { problem: 'format conversion and dynamic partitioning are not emulated' };
  const config: DeliveryStreamConfig = {
    name: description.DeliveryStreamName!,
    arn: description.DeliveryStreamARN!,
    version: description.VersionId ?? '1',
    bucket: s3.BucketARN.split(':').pop()!,
    prefix: s3.Prefix || undefined,
    errorOutputPrefix: s3.ErrorOutputPrefix || undefined,
    compression,
    buffering: {
      sizeBytes: (s3.BufferingHints?.SizeInMBs ?? 5) * MiB,
      intervalMs: (s3.BufferingHints?.IntervalInSeconds ?? 300) * 1000,
    },
  };
  const processing = extended?.ProcessingConfiguration;
  const lambda = processing?.Enabled ? processing.Processors?.find((p) => p.Type === 'Lambda') : undefined;
  if (lambda) {
    const parameter = (name: string) => lambda.Parameters?.find((p) => p.ParameterName === name)?.ParameterValue;
    const lambdaArn = parameter('LambdaArn');
    if (!lambdaArn) return { problem: 'the Lambda processor has no LambdaArn' };
    const number = (name: string, fallback: number) => {
      const value = parameter(name);
      return value === undefined ? fallback : Number(value);
    };
    config.processor = {
      lambdaArn,
      numberOfRetries: number('NumberOfRetries', FIREHOSE_DEFAULTS.numberOfRetries),
      buffering: {
        sizeBytes: number('BufferSizeInMBs', FIREHOSE_DEFAULTS.processorBuffering.sizeBytes / MiB) * MiB,
        intervalMs: number('BufferIntervalInSeconds', FIREHOSE_DEFAULTS.processorBuffering.intervalMs / 1000) * 1000,
      },
    };
  }
  return config;
}

/** Every delivery stream in the emulator, described. */
export async function describeDeliveryStreams(client: FirehoseClient): Promise<DeliveryStreamDescription[]> {
  const names: string[] = [];
  let ExclusiveStartDeliveryStreamName: string | undefined;
  for (;;) {
    const page = await client.send(new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName }));
    names.push(...(page.DeliveryStreamNames ?? []));
    if (!page.HasMoreDeliveryStreams || !page.DeliveryStreamNames?.length) break;
    ExclusiveStartDeliveryStreamName = page.DeliveryStreamNames.at(-1);
  }
  const descriptions: DeliveryStreamDescription[] = [];
  for (const DeliveryStreamName of names) {
    const { DeliveryStreamDescription: description } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName }));
    if (description) descriptions.push(description);
  }
  return descriptions;
}
