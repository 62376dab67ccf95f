import { expect } from 'chai';
import {
  AddTagsToResourceCommand,
  CreateCacheParameterGroupCommand,
  CreateCacheSubnetGroupCommand,
  CreateReplicationGroupCommand,
  type CreateReplicationGroupCommandInput,
  DeleteCacheParameterGroupCommand,
  DeleteCacheSubnetGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeCacheClustersCommand,
  DescribeCacheParameterGroupsCommand,
  DescribeCacheParametersCommand,
  DescribeCacheSubnetGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  ModifyCacheParameterGroupCommand,
  ModifyReplicationGroupCommand,
  ResetCacheParameterGroupCommand,
} from '@aws-sdk/client-elasticache';
import { useMoto } from '../support/moto';
import { expectApplyReplanDestroy } from './fixtures/moto-shim/terraform';

/** moto's EC2 over the query API (the project has no EC2 client): the XML answer. */
async function ec2Query(action: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(process.env.AWS_ENDPOINT_URL!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${action} failed: HTTP ${response.status} ${text}`);
  return text;
}

/** Every `<tag>` value of an EC2 answer. */
const xmlValues = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);

/** The first `<tag>` of an EC2 call's answer (an id it created). */
async function ec2(action: string, params: Record<string, string>, tag: string): Promise<string> {
  const value = xmlValues(await ec2Query(action, params), tag)[0];
  if (!value) throw new Error(`${action}: no <${tag}> in the answer`);
  return value;
}

/** What a rejected call answered: its error name (the AWS error code). */
const errorName = (promise: Promise<unknown>) => promise.then(
  () => 'no error',
  (e: unknown) => (e as Error).name,
);

/** ElastiCache calls the AWS provider makes that moto 5.2.5 gets wrong or lacks (local/emulator/moto_shim.py, docs/local.md). */
describe('moto shim: ElastiCache as the AWS provider uses it', function () {
  this.timeout(60_000);
  const moto = useMoto();

  describe('cache parameter groups', function () {
    it('creates, describes, modifies, resets and deletes a group; Source=user lists the parameters set', async function () {
      const client = new ElastiCacheClient({});
      const { CacheParameterGroup } = await client.send(
        new CreateCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-pg', CacheParameterGroupFamily: 'redis7', Description: 'no eviction' }),
      );
      expect(CacheParameterGroup).to.include({ CacheParameterGroupName: 'shim-pg', CacheParameterGroupFamily: 'redis7', Description: 'no eviction', IsGlobal: false });
      expect(CacheParameterGroup?.ARN).to.equal('arn:aws:elasticache:us-east-1:123456789012:parametergroup:shim-pg');

      await client.send(new ModifyCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-pg', ParameterNameValues: [{ ParameterName: 'maxmemory-policy', ParameterValue: 'noeviction' }] }));
      const userParameters = async () =>
        ((await client.send(new DescribeCacheParametersCommand({ CacheParameterGroupName: 'shim-pg', Source: 'user' }))).Parameters ?? []).map((p) => [p.ParameterName, p.ParameterValue]);
      expect(await userParameters()).to.deep.equal([['maxmemory-policy', 'noeviction']]);

      const { CacheParameterGroups } = await client.send(new DescribeCacheParameterGroupsCommand({ CacheParameterGroupName: 'shim-pg' }));
      expect(CacheParameterGroups?.map((g) => g.CacheParameterGroupFamily)).to.deep.equal(['redis7']);

      await client.send(new AddTagsToResourceCommand({ ResourceName: CacheParameterGroup!.ARN, Tags: [{ Key: 'pipeline', Value: 'reliable_messaging' }] }));
      const { TagList } = await client.send(new ListTagsForResourceCommand({ ResourceName: CacheParameterGroup!.ARN }));
      expect(TagList).to.deep.equal([{ Key: 'pipeline', Value: 'reliable_messaging' }]);

      await client.send(new ResetCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-pg', ParameterNameValues: [{ ParameterName: 'maxmemory-policy' }] }));
      expect(await userParameters()).to.deep.equal([]);

      await client.send(new DeleteCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-pg' }));
      expect(await errorName(client.send(new DescribeCacheParameterGroupsCommand({ CacheParameterGroupName: 'shim-pg' })))).to.equal('CacheParameterGroupNotFoundFault');
    });

    it('refuses a second group of the same name and a family AWS does not have', async function () {
      const client = new ElastiCacheClient({});
      await client.send(new CreateCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-twice', CacheParameterGroupFamily: 'redis7', Description: 'x' }));
      expect(await errorName(client.send(new CreateCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-twice', CacheParameterGroupFamily: 'redis7', Description: 'x' })))).to.equal(
        'CacheParameterGroupAlreadyExistsFault',
      );
      expect(await errorName(client.send(new CreateCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-family', CacheParameterGroupFamily: 'redis99', Description: 'x' })))).to.equal(
        'InvalidParameterValueException',
      );
    });
  });

  describe('replication groups', function () {
    const client = () => new ElastiCacheClient({});
    let subnetGroup = '';
    let securityGroup = '';
    let securityGroup2 = '';

    before(async function () {
      const vpc = await ec2('CreateVpc', { CidrBlock: '10.9.0.0/16' }, 'vpcId');
      const subnets = [
        await ec2('CreateSubnet', { VpcId: vpc, CidrBlock: '10.9.0.0/24', AvailabilityZone: 'us-east-1a' }, 'subnetId'),
        await ec2('CreateSubnet', { VpcId: vpc, CidrBlock: '10.9.1.0/24', AvailabilityZone: 'us-east-1b' }, 'subnetId'),
      ];
      securityGroup = await ec2('CreateSecurityGroup', { VpcId: vpc, GroupName: 'shim-redis', GroupDescription: 'redis' }, 'groupId');
      securityGroup2 = await ec2('CreateSecurityGroup', { VpcId: vpc, GroupName: 'shim-redis-2', GroupDescription: 'redis' }, 'groupId');
      subnetGroup = 'shim-subnets';
      await client().send(new CreateCacheSubnetGroupCommand({ CacheSubnetGroupName: subnetGroup, CacheSubnetGroupDescription: 'redis', SubnetIds: subnets }));
      await client().send(new CreateCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-rg-params', CacheParameterGroupFamily: 'redis7', Description: 'x' }));
    });

    const request = (id: string, overrides: Partial<CreateReplicationGroupCommandInput> = {}): CreateReplicationGroupCommandInput => ({
      ReplicationGroupId: id,
      ReplicationGroupDescription: 'message buffer',
      Engine: 'redis',
      EngineVersion: '7.1',
      CacheNodeType: 'cache.t4g.micro',
      NumCacheClusters: 2,
      CacheParameterGroupName: 'shim-rg-params',
      CacheSubnetGroupName: subnetGroup,
      SecurityGroupIds: [securityGroup],
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
      AuthToken: 'a-sixteen-plus-character-token',
      LogDeliveryConfigurations: [{ LogType: 'slow-log', DestinationType: 'cloudwatch-logs', LogFormat: 'json', DestinationDetails: { CloudWatchLogsDetails: { LogGroup: '/elasticache/slow' } } }],
      ...overrides,
    });

    it('creates NumCacheClusters member clusters <id>-001.. carrying the group settings, and echoes TLS, at-rest, AUTH and the primary endpoint', async function () {
      const { ReplicationGroup } = await client().send(new CreateReplicationGroupCommand(request('shim-rg')));
      expect(ReplicationGroup?.MemberClusters).to.deep.equal(['shim-rg-001', 'shim-rg-002']);
      expect(ReplicationGroup).to.include({ TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true, AuthTokenEnabled: true, AutomaticFailover: 'enabled', MultiAZ: 'enabled' });
      const nodeGroup = ReplicationGroup?.NodeGroups?.[0];
      expect(nodeGroup?.PrimaryEndpoint?.Address).to.match(/^master\.shim-rg\./);
      expect(nodeGroup?.PrimaryEndpoint?.Port).to.equal(6379);
      expect(nodeGroup?.NodeGroupMembers?.map((m) => [m.CacheClusterId, m.CurrentRole])).to.deep.equal([
        ['shim-rg-001', 'primary'],
        ['shim-rg-002', 'replica'],
      ]);
      expect(ReplicationGroup?.LogDeliveryConfigurations?.[0]?.DestinationDetails?.CloudWatchLogsDetails?.LogGroup).to.equal('/elasticache/slow');

      const { CacheClusters = [] } = await client().send(new DescribeCacheClustersCommand({ CacheClusterId: 'shim-rg-002', ShowCacheNodeInfo: true }));
      expect(CacheClusters[0]).to.deep.include({
        ReplicationGroupId: 'shim-rg',
        CacheNodeType: 'cache.t4g.micro',
        Engine: 'redis',
        CacheSubnetGroupName: subnetGroup,
        TransitEncryptionEnabled: true,
        AtRestEncryptionEnabled: true,
        AuthTokenEnabled: true,
        PreferredAvailabilityZone: 'us-east-1b',
      });
      expect(CacheClusters[0]?.CacheParameterGroup?.CacheParameterGroupName).to.equal('shim-rg-params');
      expect(CacheClusters[0]?.SecurityGroups?.map((g) => g.SecurityGroupId)).to.deep.equal([securityGroup]);
      expect(CacheClusters[0]?.CacheNodes?.[0]?.Endpoint?.Address).to.match(/^shim-rg-002\.shim-rg\./);
    });

    it('creates as many member clusters as NumCacheClusters asks for', async function () {
      const { ReplicationGroup } = await client().send(new CreateReplicationGroupCommand(request('shim-three', { NumCacheClusters: 3 })));
      expect(ReplicationGroup?.MemberClusters).to.deep.equal(['shim-three-001', 'shim-three-002', 'shim-three-003']);
    });

    it('refuses what AWS refuses: AUTH without TLS, Multi-AZ without failover, failover with one cluster', async function () {
      expect(await errorName(client().send(new CreateReplicationGroupCommand(request('shim-bad-1', { TransitEncryptionEnabled: false }))))).to.equal('InvalidParameterValueException');
      expect(await errorName(client().send(new CreateReplicationGroupCommand(request('shim-bad-2', { AutomaticFailoverEnabled: false }))))).to.equal('InvalidParameterCombinationException');
      expect(await errorName(client().send(new CreateReplicationGroupCommand(request('shim-bad-3', { NumCacheClusters: 1, MultiAZEnabled: false }))))).to.equal(
        'InvalidParameterCombinationException',
      );
    });

    it('ModifyReplicationGroup applies a new parameter group, security groups, windows and log delivery to the group and its members', async function () {
      await client().send(new CreateReplicationGroupCommand(request('shim-modify')));
      await client().send(new CreateCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-rg-params-2', CacheParameterGroupFamily: 'redis7', Description: 'x' }));
      const { ReplicationGroup } = await client().send(
        new ModifyReplicationGroupCommand({
          ReplicationGroupId: 'shim-modify',
          ApplyImmediately: true,
          CacheParameterGroupName: 'shim-rg-params-2',
          SecurityGroupIds: [securityGroup, securityGroup2],
          SnapshotWindow: '03:00-04:00',
          LogDeliveryConfigurations: [
            { LogType: 'slow-log', Enabled: false },
            { LogType: 'engine-log', DestinationType: 'cloudwatch-logs', LogFormat: 'text', DestinationDetails: { CloudWatchLogsDetails: { LogGroup: '/elasticache/engine' } }, Enabled: true },
          ],
        }),
      );
      expect(ReplicationGroup?.SnapshotWindow).to.equal('03:00-04:00');
      expect(ReplicationGroup?.LogDeliveryConfigurations?.map((l) => [l.LogType, l.LogFormat, l.DestinationDetails?.CloudWatchLogsDetails?.LogGroup])).to.deep.equal([
        ['engine-log', 'text', '/elasticache/engine'],
      ]);
      const { CacheClusters = [] } = await client().send(new DescribeCacheClustersCommand({ CacheClusterId: 'shim-modify-002' }));
      expect(CacheClusters[0]?.CacheParameterGroup?.CacheParameterGroupName).to.equal('shim-rg-params-2');
      expect(CacheClusters[0]?.SecurityGroups?.map((g) => g.SecurityGroupId)).to.deep.equal([securityGroup, securityGroup2]);
      expect(CacheClusters[0]?.SnapshotWindow).to.equal('03:00-04:00');
    });

    it('keeps a parameter group and a subnet group in use, deletes the group with its member clusters, then lets them go', async function () {
      await client().send(new CreateReplicationGroupCommand(request('shim-gone')));
      expect(await errorName(client().send(new DeleteCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-rg-params' })))).to.equal('InvalidCacheParameterGroupStateFault');
      expect(await errorName(client().send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: subnetGroup })))).to.equal('CacheSubnetGroupInUse');

      for (const id of ['shim-gone', 'shim-rg', 'shim-three', 'shim-modify']) {
        const { ReplicationGroup } = await client().send(new DeleteReplicationGroupCommand({ ReplicationGroupId: id }));
        expect(ReplicationGroup?.Status).to.equal('deleting');
      }
      expect(await errorName(client().send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'shim-gone' })))).to.equal('ReplicationGroupNotFoundFault');
      expect(await errorName(client().send(new DescribeCacheClustersCommand({ CacheClusterId: 'shim-gone-001' })))).to.equal('CacheClusterNotFoundFault');

      await client().send(new DeleteCacheParameterGroupCommand({ CacheParameterGroupName: 'shim-rg-params' }));
      await client().send(new DeleteCacheSubnetGroupCommand({ CacheSubnetGroupName: subnetGroup }));
      expect(await errorName(client().send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: subnetGroup })))).to.equal('CacheSubnetGroupNotFoundFault');
    });
  });

  it('the AWS provider applies a TLS, AUTH, KMS, Multi-AZ replication group with its parameter and subnet groups, re-plans it without a diff and destroys it', function () {
    this.timeout(600_000);
    const output = expectApplyReplanDestroy(moto.current().endpoint, ['elasticache']);
    expect(output).to.match(/member_clusters = toset\(\[\s*"shim-redis-001",\s*"shim-redis-002",\s*\]\)/);
  });

  it('describes security group rules with the description given for a group or prefix list source, as AWS does', async function () {
    const vpc = await ec2('CreateVpc', { CidrBlock: '10.8.0.0/16' }, 'vpcId');
    const redis = await ec2('CreateSecurityGroup', { VpcId: vpc, GroupName: 'shim-rule-redis', GroupDescription: 'redis' }, 'groupId');
    const functions = await ec2('CreateSecurityGroup', { VpcId: vpc, GroupName: 'shim-rule-functions', GroupDescription: 'functions' }, 'groupId');
    const prefixList = await ec2('DescribeManagedPrefixLists', {}, 'prefixListId');
    const rule = { 'IpPermissions.1.IpProtocol': 'tcp', 'IpPermissions.1.FromPort': '6379', 'IpPermissions.1.ToPort': '6379' };
    await ec2Query('AuthorizeSecurityGroupIngress', { GroupId: redis, ...rule, 'IpPermissions.1.Groups.1.GroupId': functions, 'IpPermissions.1.Groups.1.Description': 'Redis from the functions' });
    await ec2Query('AuthorizeSecurityGroupEgress', { GroupId: functions, ...rule, 'IpPermissions.1.PrefixListIds.1.PrefixListId': prefixList, 'IpPermissions.1.PrefixListIds.1.Description': 'To S3' });
    const described = await ec2Query('DescribeSecurityGroupRules', { 'Filter.1.Name': 'group-id', 'Filter.1.Value.1': redis, 'Filter.1.Value.2': functions });
    expect(xmlValues(described, 'description')).to.include.members(['Redis from the functions', 'To S3']);
  });

  // The provider's apply of infra/modules/elasticache-vpc is in moto-shim-elasticache-vpc.test.ts, so that the
  // integration tier's workers run it beside this file's apply (both mostly wait on the provider's fixed delays).
});
