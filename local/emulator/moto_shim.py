"""moto_server, plus the smallest fixes for emulator bugs that the AWS provider or the SDK trips over.

Run exactly like moto_server: `python moto_shim.py -H 127.0.0.1 -p 5000`. Each patch below names the
behaviour it corrects and what real AWS does; docs/local.md lists them. Nothing here changes what the
project deploys to AWS.
"""
import os
import sys

# AWS managed policies (AWSXRayDaemonWriteAccess, ...) exist in every real account; moto loads them
# only when asked. Must be set before moto.iam is imported.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import json  # noqa: E402

from moto import server  # noqa: E402
from moto.iam.access_control import IAMPolicy, PermissionResult  # noqa: E402
from moto.dynamodb.models import table as dynamodb_table  # noqa: E402
from moto.s3 import models as s3_models  # noqa: E402
from moto.sqs import models as sqs_models  # noqa: E402

_original_set_attributes = sqs_models.Queue._set_attributes


def _set_attributes_with_kms(self, attributes, now=None):  # type: ignore[no-untyped-def]
    """Two fixes to SetQueueAttributes:
    - moto keeps SqsManagedSseEnabled=true on a queue encrypted with a CMK. AWS reports false (the
      two are exclusive), and the provider waits for false until it times out.
    - moto erases the queue policy on every call that does not name Policy (e.g. setting the
      redrive allow policy); AWS changes only the attributes given. Depending on which of the
      provider's concurrent calls came last, the queue lost its policy and the provider waited for
      it forever."""
    previous_policy = getattr(self, "policy", None)
    _original_set_attributes(self, attributes, now)
    if "Policy" not in attributes:
        self.policy = previous_policy
    if getattr(self, "kms_master_key_id", None):
        self.sqs_managed_sse_enabled = False


sqs_models.Queue._set_attributes = _set_attributes_with_kms

_original_attributes = sqs_models.Queue.attributes.fget


def _attributes_with_redrive_allow_policy(self):  # type: ignore[no-untyped-def]
    """moto stores RedriveAllowPolicy but neither returns nor accepts it as an attribute name, so the
    provider waits for it and then fails reading it."""
    result = _original_attributes(self)
    if result.get("RedriveAllowPolicy") is None:
        result.pop("RedriveAllowPolicy", None)
    return result


sqs_models.Queue.redrive_allow_policy = None
sqs_models.Queue.BASE_ATTRIBUTES = [*sqs_models.Queue.BASE_ATTRIBUTES, "RedriveAllowPolicy"]
sqs_models.Queue.attributes = property(_attributes_with_redrive_allow_policy)



def _bucket_permission_without_conditions(self, action, resource):  # type: ignore[no-untyped-def]
    """moto applies bucket policy statements ignoring their Condition, so the TLS-only Deny
    (aws:SecureTransport = false) denies every request. Statements with conditions are skipped:
    moto cannot evaluate them (and the emulator is plain HTTP on loopback)."""
    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = json.loads(self.policy.decode())
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    document["Statement"] = [s for s in statements if "Condition" not in s]
    if not document["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


s3_models.FakeBucket.get_permission = _bucket_permission_without_conditions



def _stream_add_keeping_records(self, old, new):  # type: ignore[no-untyped-def]
    """moto invokes every event source mapping of the table on each write, disabled ones too, and
    then empties the shard, so GetRecords never sees the records. AWS keeps stream records for 24
    hours whatever reads them, and a disabled mapping invokes nothing. The local runtime reads the
    stream itself (its mappings are disabled in the emulator), so records are kept and only enabled
    mappings are invoked, as moto would."""
    view_type = self.table.stream_specification["StreamViewType"]
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    sequence = len(self.items) + self.starting_sequence_number
    self.items.append(dynamodb_table.StreamRecord(self.table, view_type, event_name, old, new, sequence))
    from moto.awslambda.utils import get_backend

    for arn, mapping in self.table.lambda_event_source_mappings.items():
        if getattr(mapping, "enabled", True):
            get_backend(self.account_id, arn.split(":")[3]).send_dynamodb_items(arn, [self.items[-1]], mapping.event_source_arn)


dynamodb_table.StreamShard.add = _stream_add_keeping_records

from moto.s3 import notifications as s3_notifications  # noqa: E402
import itertools  # noqa: E402

_original_get_s3_event = s3_notifications._get_s3_event
_sequencer = itertools.count(1)


def _s3_event_with_version_and_sequencer(event_name, bucket, key, notification_id):  # type: ignore[no-untyped-def]
    """moto's S3 event notifications leave out s3.object.versionId and s3.object.sequencer. AWS sends
    the versionId of the version the event is about (versioned buckets) and a sequencer that orders
    events of the same key; the ETL loader needs the version id to load exactly that version."""
    event = _original_get_s3_event(event_name, bucket, key, notification_id)
    obj = event["Records"][0]["s3"]["object"]
    version_id = getattr(key, "version_id", None)
    if version_id and version_id != "null":
        obj["versionId"] = version_id
    obj["sequencer"] = format(next(_sequencer), "016X")
    return event


s3_notifications._get_s3_event = _s3_event_with_version_and_sequencer


# --- storage-first: SendMessage size in bytes with attributes, and the queue's KMS key state --------
from moto.sqs.exceptions import InvalidParameterValue as _SqsInvalidParameterValue, SQSException as _SqsException  # noqa: E402

_original_send_message = sqs_models.SQSBackend.send_message


def _message_attribute_bytes(attributes):  # type: ignore[no-untyped-def]
    """What AWS counts of a message attribute: its name, data type and value."""
    import base64

    total = 0
    for name, value in (attributes or {}).items():
        total += len(name.encode("utf-8")) + len(str(value.get("DataType", "")).encode("utf-8"))
        if value.get("StringValue") is not None:
            total += len(str(value["StringValue"]).encode("utf-8"))
        binary = value.get("BinaryValue")
        if isinstance(binary, bytes):
            total += len(binary)
        elif binary is not None:
            try:
                total += len(base64.b64decode(binary))
            except ValueError:
                total += len(str(binary))
    return total


def _send_message_checked(self, queue_name, message_body, message_attributes=None, **kwargs):  # type: ignore[no-untyped-def]
    """Two SendMessage checks AWS makes and moto does not:
    - MaximumMessageSize counts the UTF-8 bytes of the body plus the message attributes; moto counts
      the body's characters only, so it stores bodies of multi-byte characters, or bodies just under
      the limit plus attributes, that AWS refuses (InvalidParameterValue, same message as AWS).
    - A queue encrypted with a customer managed key refuses messages while the key is not enabled
      (KMS.DisabledException, HTTP 400); moto never looks at the key."""
    queue = self.get_queue(queue_name)
    size = len(message_body.encode("utf-8")) + _message_attribute_bytes(message_attributes)
    if size > queue.maximum_message_size:
        raise _SqsInvalidParameterValue(
            f"One or more parameters are invalid. Reason: Message must be shorter than {queue.maximum_message_size} bytes."
        )
    key_id = getattr(queue, "kms_master_key_id", None)
    if key_id:
        from moto.kms.models import kms_backends

        try:
            key = kms_backends[self.account_id][self.region_name].describe_key(key_id)
        except Exception:  # e.g. alias/aws/sqs: an AWS managed key moto does not hold
            key = None
        if key is not None and key.key_state != "Enabled":
            raise _SqsException(
                "KMS.DisabledException",
                f"Amazon SQS could not encrypt the message: KMS key {key.arn} is {key.key_state.lower()}.",
            )
    return _original_send_message(self, queue_name, message_body, message_attributes=message_attributes, **kwargs)


sqs_models.SQSBackend.send_message = _send_message_checked

# --- reliable messaging: Step Functions -----------------------------------------------------------
from moto.stepfunctions import responses as sfn_responses  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402


def _missing_transition_targets(states, path):  # type: ignore[no-untyped-def]
    """(location, target) of every Next/Default/StartAt naming no state, branches included."""
    missing = []
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
        targets += [(f"Choices/{i}/Next", c.get("Next")) for i, c in enumerate(state.get("Choices") or []) if isinstance(c, dict)]
        targets += [(f"Catch/{i}/Next", c.get("Next")) for i, c in enumerate(state.get("Catch") or []) if isinstance(c, dict)]
        for field, target in targets:
            if target is not None and target not in states:
                missing.append((f"{path}/States/{name}/{field}", target))
        for i, branch in enumerate(state.get("Branches") or []):
            missing += _missing_machine_targets(branch, f"{path}/States/{name}/Branches/{i}")
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), dict):
                missing += _missing_machine_targets(state[key], f"{path}/States/{name}/{key}")
    return missing


def _missing_machine_targets(machine, path):  # type: ignore[no-untyped-def]
    states = machine.get("States") if isinstance(machine.get("States"), dict) else {}
    missing = _missing_transition_targets(states, path)
    if machine.get("StartAt") not in states:
        missing.insert(0, (f"{path}/StartAt", machine.get("StartAt")))
    return missing


def _validate_state_machine_definition(self):  # type: ignore[no-untyped-def]
    """moto does not implement ValidateStateMachineDefinition (HTTP 500), which the provider calls
    before creating or updating a state machine. AWS answers {"result": "OK"|"FAIL", "diagnostics":
    [{severity, code, message, location}], "truncated"}: INVALID_JSON_DESCRIPTION for a definition that
    is not JSON, SCHEMA_VALIDATION_FAILED for one that breaks the ASL grammar (moto's own ASL parser
    decides, EXPRESS rules for EXPRESS machines), MISSING_TRANSITION_TARGET for a Next/Default/StartAt
    naming no state."""
    from moto.stepfunctions.parser.asl.static_analyser.express_static_analyser import ExpressStaticAnalyser
    from moto.stepfunctions.parser.asl.static_analyser.static_analyser import StaticAnalyser

    definition = self._get_param("definition")
    diagnostics = []
    try:
        machine = json.loads(definition)
    except (TypeError, ValueError) as error:
        machine = None
        diagnostics.append({"severity": "ERROR", "code": "INVALID_JSON_DESCRIPTION", "message": f"Invalid JSON: {error}"})
    if isinstance(machine, dict):
        analyser = ExpressStaticAnalyser() if self._get_param("type") == "EXPRESS" else StaticAnalyser()
        try:
            analyser.analyse(definition)
        except Exception as error:  # the parser raises ASLParserException, analysers ValueError
            diagnostics.append({"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": str(error)})
        for location, target in _missing_machine_targets(machine, ""):
            diagnostics.append({"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET", "message": f"Missing 'Next' target: {target}", "location": location})
    elif machine is not None:
        diagnostics.append({"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "The definition must be a JSON object"})
    return ActionResult({"result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics, "truncated": False})


sfn_responses.StepFunctionResponse.validate_state_machine_definition = _validate_state_machine_definition


def _list_state_machine_versions(self):  # type: ignore[no-untyped-def]
    """moto does not implement ListStateMachineVersions (HTTP 500), which the provider calls when it
    reads a state machine back. AWS lists the published versions, newest first (none unless the
    machine was created or updated with publish = true)."""
    machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(getattr(machine, "versions", {}).values(), key=lambda v: v.version, reverse=True)
    return ActionResult({"stateMachineVersions": [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions]})


sfn_responses.StepFunctionResponse.list_state_machine_versions = _list_state_machine_versions


# --- reliable messaging: ElastiCache parameter groups ---------------------------------------------
import re  # noqa: E402

from moto.core.responses import EmptyResult  # noqa: E402
from moto.elasticache import exceptions as elasticache_exceptions  # noqa: E402
from moto.elasticache import models as elasticache_models  # noqa: E402
from moto.elasticache import responses as elasticache_responses  # noqa: E402

_CACHE_PARAMETER_GROUP_FAMILY = re.compile(r"^(memcached1\.[4-6]|redis(2\.[68]|3\.2|4\.0|5\.0|6\.x|7)|valkey[78])$")


class _CacheParameterGroupNotFound(elasticache_exceptions.ElastiCacheException):
    code = "CacheParameterGroupNotFound"


class _CacheParameterGroupAlreadyExists(elasticache_exceptions.ElastiCacheException):
    code = "CacheParameterGroupAlreadyExists"


class _InvalidCacheParameterGroupState(elasticache_exceptions.ElastiCacheException):
    code = "InvalidCacheParameterGroupState"


class _CacheParameterGroup:
    def __init__(self, account_id, region_name, name, family, description):  # type: ignore[no-untyped-def]
        self.cache_parameter_group_name = name
        self.cache_parameter_group_family = family
        self.description = description
        self.is_global = False
        self.arn = f"arn:aws:elasticache:{region_name}:{account_id}:parametergroup:{name}"
        self.parameters: dict[str, str] = {}  # the ones set by the user; AWS's engine defaults are not modelled


def _parameter_groups(backend):  # type: ignore[no-untyped-def]
    if not hasattr(backend, "cache_parameter_groups"):
        backend.cache_parameter_groups = {}
    return backend.cache_parameter_groups


def _parameter_group(backend, name):  # type: ignore[no-untyped-def]
    group = _parameter_groups(backend).get(name)
    if group is None:
        raise _CacheParameterGroupNotFound(f"CacheParameterGroup {name} not found.")
    return group


def _create_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    """moto has no ElastiCache parameter groups (Create/Describe/Modify/Reset/Delete and
    DescribeCacheParameters answer HTTP 500), which aws_elasticache_parameter_group needs. As AWS:
    a name is unique per region, the family must be one AWS knows, the group is taggable by its ARN,
    and DescribeCacheParameters with Source=user lists the parameters the user set."""
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    family = self._get_param("CacheParameterGroupFamily")
    if name in _parameter_groups(backend):
        raise _CacheParameterGroupAlreadyExists(f"Parameter group {name} already exists.")
    if not _CACHE_PARAMETER_GROUP_FAMILY.match(family or ""):
        raise elasticache_exceptions.InvalidParameterValueException(f"The parameter CacheParameterGroupFamily {family} is not a valid family.")
    group = _CacheParameterGroup(backend.account_id, backend.region_name, name, family, self._get_param("Description"))
    _parameter_groups(backend)[name] = group
    tags = self._get_param("Tags", [])
    if tags:
        backend.tagging_service.tag_resource(group.arn, tags)
    return ActionResult({"CacheParameterGroup": group})


def _describe_cache_parameter_groups(self):  # type: ignore[no-untyped-def]
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    groups = [_parameter_group(backend, name)] if name else list(_parameter_groups(backend).values())
    return ActionResult({"CacheParameterGroups": groups})


def _modify_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    group = _parameter_group(self.elasticache_backend, self._get_param("CacheParameterGroupName"))
    for parameter in self._get_param("ParameterNameValues", []):
        group.parameters[parameter["ParameterName"]] = parameter.get("ParameterValue")
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _reset_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    group = _parameter_group(self.elasticache_backend, self._get_param("CacheParameterGroupName"))
    if self._get_bool_param("ResetAllParameters"):
        group.parameters.clear()
    for parameter in self._get_param("ParameterNameValues", []):
        group.parameters.pop(parameter["ParameterName"], None)
    return ActionResult({"CacheParameterGroupName": group.cache_parameter_group_name})


def _delete_cache_parameter_group(self):  # type: ignore[no-untyped-def]
    backend = self.elasticache_backend
    group = _parameter_group(backend, self._get_param("CacheParameterGroupName"))
    users = [c for c in backend.cache_clusters.values() if c.cache_parameter_group_name == group.cache_parameter_group_name]
    users += [g for g in backend.replication_groups.values() if g.cache_parameter_group_name == group.cache_parameter_group_name]
    if users:
        raise _InvalidCacheParameterGroupState(f"One or more cache clusters are still members of this parameter group {group.cache_parameter_group_name}, so the group cannot be deleted.")
    del _parameter_groups(backend)[group.cache_parameter_group_name]
    backend.tagging_service.delete_all_tags_for_resource(group.arn)
    return EmptyResult()


def _describe_cache_parameters(self):  # type: ignore[no-untyped-def]
    group = _parameter_group(self.elasticache_backend, self._get_param("CacheParameterGroupName"))
    source = self._get_param("Source")
    parameters = [
        {"ParameterName": name, "ParameterValue": value, "Source": "user", "DataType": "string", "IsModifiable": True, "ChangeType": "immediate"}
        for name, value in sorted(group.parameters.items())
    ]
    if source not in (None, "user"):
        parameters = []
    return ActionResult({"Parameters": parameters})


for _action in (
    _create_cache_parameter_group,
    _describe_cache_parameter_groups,
    _modify_cache_parameter_group,
    _reset_cache_parameter_group,
    _delete_cache_parameter_group,
    _describe_cache_parameters,
):
    setattr(elasticache_responses.ElastiCacheResponse, _action.__name__[1:], _action)

_original_elasticache_init = elasticache_models.ElastiCacheBackend.__init__


def _elasticache_init_taggable_parameter_groups(self, region_name, account_id):  # type: ignore[no-untyped-def]
    """Parameter group ARNs (...:parametergroup:name) are taggable in AWS; moto's ARN check refuses them."""
    _original_elasticache_init(self, region_name, account_id)
    self.arn_regex = re.compile(r"^arn:aws:elasticache:.*:[0-9]*:(cluster|snapshot|subnetgroup|replicationgroup|user|parametergroup):.*$")


elasticache_models.ElastiCacheBackend.__init__ = _elasticache_init_taggable_parameter_groups


# --- reliable messaging: ElastiCache replication groups and their member clusters ------------------
from moto.core.utils import utcnow  # noqa: E402

_original_create_replication_group = elasticache_models.ElastiCacheBackend.create_replication_group
_original_delete_replication_group = elasticache_models.ElastiCacheBackend.delete_replication_group


def _check_replication_group_request(kwargs):  # type: ignore[no-untyped-def]
    """The parameter combinations AWS refuses that a Redis module can get wrong."""
    clusters = kwargs.get("num_cache_clusters") or 1
    if kwargs.get("auth_token") and not kwargs.get("transit_encryption_enabled"):
        raise elasticache_exceptions.InvalidParameterValueException("The parameter AuthToken can only be set when TransitEncryptionEnabled is true.")
    if kwargs.get("multi_az_enabled") and not kwargs.get("automatic_failover_enabled"):
        raise elasticache_exceptions.InvalidParameterCombinationException("Multi-AZ can only be enabled together with automatic failover.")
    if kwargs.get("automatic_failover_enabled") and clusters < 2 and not kwargs.get("num_node_groups") and not kwargs.get("replicas_per_node_group"):
        raise elasticache_exceptions.InvalidParameterCombinationException("Automatic failover needs at least 2 cache clusters (NumCacheClusters).")
    if kwargs.get("kms_key_id") and not kwargs.get("at_rest_encryption_enabled"):
        raise elasticache_exceptions.InvalidParameterCombinationException("KmsKeyId can only be set when AtRestEncryptionEnabled is true.")


def _create_member_cluster(backend, group, member, kwargs):  # type: ignore[no-untyped-def]
    cluster = backend.create_cache_cluster(
        cache_cluster_id=member["cache_cluster_id"],
        replication_group_id=group.replication_group_id,
        az_mode="single-az",
        preferred_availability_zone=member["preferred_availability_zone"],
        num_cache_nodes=1,
        cache_node_type=group.cache_node_type,
        engine=group.engine,
        engine_version=kwargs.get("engine_version"),
        cache_parameter_group_name=kwargs.get("cache_parameter_group_name"),
        cache_subnet_group_name=kwargs.get("cache_subnet_group_name"),
        transit_encryption_enabled=group.transit_encryption_enabled,
        network_type=group.network_type,
        ip_discovery=group.ip_discovery,
        snapshot_name=None,
        preferred_maintenance_window=kwargs.get("preferred_maintenance_window") or "sun:05:00-sun:06:00",
        port=group.port,
        notification_topic_arn=kwargs.get("notification_topic_arn"),
        auto_minor_version_upgrade=kwargs.get("auto_minor_version_upgrade"),
        snapshot_retention_limit=group.snapshot_retention_limit,
        snapshot_window=group.snapshot_window,
        auth_token=kwargs.get("auth_token"),
        outpost_mode=None,
        preferred_outpost_arn=None,
        preferred_availability_zones=None,
        cache_security_group_names=kwargs.get("cache_security_group_names"),
        security_group_ids=kwargs.get("security_group_ids"),
        tags=None,
        snapshot_arns=None,
        preferred_outpost_arns=None,
        log_delivery_configurations=[],
        cache_node_ids_to_remove=[],
        cache_node_ids_to_reboot=[],
    )
    # What AWS reports for a member and moto's cluster model leaves out.
    cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
    cluster.transit_encryption_mode = group.transit_encryption_mode
    cluster.replication_group_log_delivery_enabled = bool(group.log_delivery_configurations)
    if cluster.cache_parameter_group_name:
        cluster.cache_parameter_group = {"CacheParameterGroupName": cluster.cache_parameter_group_name, "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}
    cluster.security_groups = [{"SecurityGroupId": sg, "Status": "active"} for sg in cluster.security_group_ids]
    cluster.cache_nodes = [
        {
            "CacheNodeId": "0001",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": utcnow(),
            "Endpoint": {"Address": member["read_endpoint"]["address"], "Port": group.port},
            "ParameterGroupStatus": "in-sync",
            "CustomerAvailabilityZone": member["preferred_availability_zone"],
        }
    ]


def _create_replication_group_with_members(self, **kwargs):  # type: ignore[no-untyped-def]
    """moto's CreateReplicationGroup ignores NumCacheClusters (always one node without
    ReplicasPerNodeGroup) and creates no member clusters, so the provider's read-back
    (DescribeCacheClusters on <id>-001) fails with CacheClusterNotFound. AWS creates NumCacheClusters
    clusters <id>-001, <id>-002, ... (the first is the primary) carrying the group's node type,
    engine, parameter and subnet groups, security groups, encryption and AUTH settings, and refuses
    the parameter combinations checked in _check_replication_group_request."""
    _check_replication_group_request(kwargs)
    cluster_mode_disabled = (kwargs.get("cluster_mode") or "disabled") == "disabled" and not kwargs.get("num_node_groups")
    if cluster_mode_disabled and kwargs.get("num_cache_clusters") and not kwargs.get("replicas_per_node_group"):
        kwargs["replicas_per_node_group"] = kwargs["num_cache_clusters"] - 1
    group = _original_create_replication_group(self, **kwargs)
    group.engine_version = kwargs.get("engine_version")
    # AWS's defaults where moto reports nothing or false.
    if group.auto_minor_version_upgrade is None:
        group.auto_minor_version_upgrade = True
    if group.transit_encryption_enabled and not group.transit_encryption_mode:
        group.transit_encryption_mode = "required"
    if cluster_mode_disabled:
        group.primary_cluster_id = group.member_clusters[0]
        for member in group.node_groups[0]["node_group_members"]:
            _create_member_cluster(self, group, member, kwargs)
    return group


def _delete_replication_group_with_members(self, replication_group_id, retain_primary_cluster):  # type: ignore[no-untyped-def]
    """moto leaves a deleted replication group in 'deleting' for ever (the provider waits until it is
    gone, then times out). AWS deletes the group and its member clusters (all but the primary with
    RetainPrimaryCluster); here that is done at once, and the answer still says 'deleting'."""
    members = list(self.replication_groups[replication_group_id].member_clusters) if replication_group_id in self.replication_groups else []
    primary = members[0] if members else None
    group = _original_delete_replication_group(self, replication_group_id, retain_primary_cluster)
    del self.replication_groups[replication_group_id]
    self.tagging_service.delete_all_tags_for_resource(group.arn)
    for cluster_id in members:
        if retain_primary_cluster and cluster_id == primary:
            self.cache_clusters[cluster_id].replication_group_id = None
        else:
            self.cache_clusters.pop(cluster_id, None)
    return group


elasticache_models.ElastiCacheBackend.create_replication_group = _create_replication_group_with_members
elasticache_models.ElastiCacheBackend.delete_replication_group = _delete_replication_group_with_members


class _CacheSubnetGroupInUse(elasticache_exceptions.ElastiCacheException):
    code = "CacheSubnetGroupInUse"


def _delete_cache_subnet_group(self):  # type: ignore[no-untyped-def]
    """moto cannot delete a cache subnet group (HTTP 500), so destroying aws_elasticache_subnet_group
    fails. AWS deletes it unless a cluster still uses it (CacheSubnetGroupInUse)."""
    backend = self.elasticache_backend
    name = self._get_param("CacheSubnetGroupName")
    group = backend.describe_cache_subnet_groups(name)[0]  # CacheSubnetGroupNotFoundFault if missing
    if any(c.cache_subnet_group_name == name for c in backend.cache_clusters.values()):
        raise _CacheSubnetGroupInUse(f"Cache subnet group {name} is currently in use by a cache cluster.")
    del backend.cache_subnet_groups[name]
    backend.tagging_service.delete_all_tags_for_resource(group.arn)
    return EmptyResult()


elasticache_responses.ElastiCacheResponse.delete_cache_subnet_group = _delete_cache_subnet_group


_original_modify_replication_group = elasticache_responses.ElastiCacheResponse.modify_replication_group


def _modify_replication_group_and_members(self):  # type: ignore[no-untyped-def]
    """moto's ModifyReplicationGroup changes only the description, node type, failover, Multi-AZ and
    snapshot retention; the parameter group, security groups, engine version, windows and log delivery
    stay as they were, so the provider plans the same change again after every apply. AWS applies
    them to the group and its member clusters (a log delivery with Enabled=false is removed)."""
    result = _original_modify_replication_group(self)
    backend = self.elasticache_backend
    group = backend.replication_groups[self._get_param("ReplicationGroupId")]
    clusters = [backend.cache_clusters[c] for c in group.member_clusters if c in backend.cache_clusters]
    parameter_group = self._get_param("CacheParameterGroupName")
    if parameter_group:
        _parameter_group(backend, parameter_group)  # CacheParameterGroupNotFound as in AWS
        group.cache_parameter_group_name = parameter_group
        for cluster in clusters:
            cluster.cache_parameter_group_name = parameter_group
            cluster.cache_parameter_group = {"CacheParameterGroupName": parameter_group, "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}
    security_groups = self._get_param("SecurityGroupIds")
    if security_groups:
        group.security_group_ids = security_groups
        for cluster in clusters:
            cluster.security_group_ids = security_groups
            cluster.security_groups = [{"SecurityGroupId": sg, "Status": "active"} for sg in security_groups]
    for param, attribute in (("EngineVersion", "engine_version"), ("PreferredMaintenanceWindow", "preferred_maintenance_window"), ("SnapshotWindow", "snapshot_window")):
        value = self._get_param(param)
        if value:
            setattr(group, attribute, value)
            for cluster in clusters:
                setattr(cluster, attribute, value)
    if self._get_param("AutoMinorVersionUpgrade") is not None:
        group.auto_minor_version_upgrade = self._get_bool_param("AutoMinorVersionUpgrade")
    changes = self._get_params().get("LogDeliveryConfigurations") or []
    if changes:
        kept = {c["LogType"]: c for c in group.log_delivery_configurations}
        for change in changes:
            if change.get("Enabled") is False or str(change.get("Enabled")).lower() == "false":
                kept.pop(change["LogType"], None)
            else:
                kept[change["LogType"]] = {k: v for k, v in change.items() if k != "Enabled"}
        group.log_delivery_configurations = group._get_log_delivery_configurations(list(kept.values()))
    return result


elasticache_responses.ElastiCacheResponse.modify_replication_group = _modify_replication_group_and_members


# --- reliable messaging: EC2 security group rules --------------------------------------------------
from moto.ec2.models import security_groups as ec2_security_groups  # noqa: E402

_original_security_group_rule_init = ec2_security_groups.SecurityGroupRule.__init__


def _security_group_rule_init_keeping_description(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _original_security_group_rule_init(self, *args, **kwargs)
    prefix_list = kwargs.get("prefix_list_id") if "prefix_list_id" in kwargs else (args[7] if len(args) > 7 else None)
    self.prefix_list_description = (prefix_list or {}).get("Description")


def _security_group_rule_description(self):  # type: ignore[no-untyped-def]
    """moto reports a rule's Description only for CIDR rules. AWS reports it for every rule: from a
    security group (UserIdGroupPairs) or a prefix list (PrefixListIds) too, so the provider saw
    aws_vpc_security_group_{ingress,egress}_rule descriptions vanish and planned to set them again."""
    return self.ip_range.get("Description") or self.source_group.get("Description") or getattr(self, "prefix_list_description", None)


ec2_security_groups.SecurityGroupRule.__init__ = _security_group_rule_init_keeping_description
ec2_security_groups.SecurityGroupRule.description = property(_security_group_rule_description)


# --- streaming events: Lambda logging configuration, SQS redrive policies ---------------------------
from moto.awslambda import models as lambda_models  # noqa: E402

_original_lambda_init = lambda_models.LambdaFunction.__init__
_original_lambda_configuration = lambda_models.LambdaFunction.get_configuration
_original_lambda_update = lambda_models.LambdaFunction.update_configuration


def _lambda_init_keeping_logging_config(self, account_id, spec, region, version=1):  # type: ignore[no-untyped-def]
    _original_lambda_init(self, account_id, spec, region, version)
    self.logging_config = dict(spec.get("LoggingConfig") or {})


def _lambda_configuration_with_logging_config(self, on_create=False):  # type: ignore[no-untyped-def]
    """moto drops LoggingConfig. AWS keeps it and returns it (LogFormat Text and the log group
    /aws/lambda/<name> by default), so the provider saw every function's logging_config (JSON logs to
    the module's log group) vanish and planned to set it again."""
    config = _original_lambda_configuration(self, on_create)
    logging_config = getattr(self, "logging_config", {})
    config["LoggingConfig"] = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.function_name}", **logging_config}
    return config


def _lambda_update_with_logging_config(self, config_updates):  # type: ignore[no-untyped-def]
    if "LoggingConfig" in config_updates:
        self.logging_config = {**getattr(self, "logging_config", {}), **config_updates["LoggingConfig"]}
    return _original_lambda_update(self, config_updates)


lambda_models.LambdaFunction.__init__ = _lambda_init_keeping_logging_config
lambda_models.LambdaFunction.get_configuration = _lambda_configuration_with_logging_config
lambda_models.LambdaFunction.update_configuration = _lambda_update_with_logging_config


def _attributes_with_compact_redrive_policy(self):  # type: ignore[no-untyped-def]
    """moto returns RedrivePolicy as json.dumps writes it ({"deadLetterTargetArn": "...", ...}); AWS
    returns it compact ({"deadLetterTargetArn":"...","maxReceiveCount":5}), the form the provider
    normalises its own value to: with moto's spaces it planned to rewrite every queue's redrive policy."""
    result = _attributes_with_redrive_allow_policy(self)
    if result.get("RedrivePolicy"):
        result["RedrivePolicy"] = json.dumps(json.loads(result["RedrivePolicy"]), separators=(",", ":"))
    return result


sqs_models.Queue.attributes = property(_attributes_with_compact_redrive_policy)


# --- SQS sends in linear time -------------------------------------------------------------------------
# Every SendMessage(Batch) entry reads queue.attributes up to three times for ContentBasedDeduplication,
# and each read counts the queue's visible, delayed and in-flight messages, asking moto's datetime-based
# clock twice per message: a FIFO send cost 20 ms on an empty queue and 180 ms with 2,000 messages in it,
# so 10,000 events through the streaming pipeline's FIFO queue never finished. During a send the
# attributes are only asked for that one setting (what moto's send path reads), and message visibility
# uses time.time(), the same epoch milliseconds.
import threading  # noqa: E402
import time  # noqa: E402

_sending = threading.local()


def _attributes_cheap_while_sending(self):  # type: ignore[no-untyped-def]
    if getattr(_sending, "depth", 0) == 0:
        return _attributes_with_compact_redrive_policy(self)
    if not self.fifo_queue:
        return {}
    value = self.content_based_deduplication
    return {"ContentBasedDeduplication": str(value).lower() if isinstance(value, bool) else value}


def _while_sending(send):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        _sending.depth = getattr(_sending, "depth", 0) + 1
        try:
            return send(*args, **kwargs)
        finally:
            _sending.depth -= 1

    return wrapper


sqs_models.Queue.attributes = property(_attributes_cheap_while_sending)
sqs_models.SQSBackend.send_message = _while_sending(sqs_models.SQSBackend.send_message)
sqs_models.SQSBackend.send_message_batch = _while_sending(sqs_models.SQSBackend.send_message_batch)
sqs_models.Message.visible = property(lambda self: time.time() * 1000 > self.visible_at)
sqs_models.Message.delayed = property(lambda self: time.time() * 1000 < self.delayed_until)


# --- SQS receives in linear time ----------------------------------------------------------------------
# ReceiveMessage checks each message it hands out against the queue's retention period by asking
# get_queue_attributes, which computes queue.attributes three times per name asked (and each time counts
# every message of the queue, visible, delayed and in flight): a receive of 10 from a queue holding
# 3,000 messages took about half a second, and 46% of the emulator's CPU in the 10,000-event streaming run
# went there. The retention period is read from the queue itself, and a GetQueueAttributes for named
# attributes computes them once.
from moto.core.utils import unix_time  # noqa: E402

_original_get_queue_attributes = sqs_models.SQSBackend.get_queue_attributes


def _retention_checked_directly(self, queue_name, message):  # type: ignore[no-untyped-def]
    retention_period = int(self.get_queue(queue_name).message_retention_period)
    return retention_period + message.sent_timestamp / 1000 > unix_time()


def _get_queue_attributes_computed_once(self, queue_name, attribute_names):  # type: ignore[no-untyped-def]
    if not attribute_names or "All" in attribute_names:
        return _original_get_queue_attributes(self, queue_name, attribute_names)
    queue = self.get_queue(queue_name)
    valid_names = queue.BASE_ATTRIBUTES + queue.FIFO_ATTRIBUTES + queue.KMS_ATTRIBUTES
    invalid_name = next((name for name in attribute_names if name not in valid_names), None)
    if invalid_name is not None:
        raise sqs_models.InvalidAttributeName(invalid_name)
    current = queue.attributes
    return {name: current[name] for name in attribute_names if current.get(name) is not None}


sqs_models.SQSBackend.is_message_valid_based_on_retention_period = _retention_checked_directly
sqs_models.SQSBackend.get_queue_attributes = _get_queue_attributes_computed_once


# --- SQS batch deletes in one pass -------------------------------------------------------------------
# DeleteMessageBatch deletes its entries one at a time, and each walks every message of the queue twice
# (once to check the receipt handle, once to rebuild the list without it): 20 walks for a batch of 10,
# the emulator's largest cost (9%) in the 10,000-event streaming run once the receive was fixed. One walk
# finds every entry's message; the answers are moto's (a handle already deleted succeeds again, a handle
# no message ever had fails with ReceiptHandleIsInvalid, the rest of the batch is still deleted).
def _delete_message_batch_in_one_pass(self, queue_name, receipts):  # type: ignore[no-untyped-def]
    queue = self.get_queue(queue_name)
    wanted = {entry["ReceiptHandle"] for entry in receipts} - queue.deleted_messages
    if wanted:
        kept = []
        for message in queue._messages:
            handles = message.all_receipt_handles
            if wanted.isdisjoint(handles):
                kept.append(message)
                continue
            queue.pending_messages.discard(message)
            queue.deleted_messages.update(handles)
        queue._messages = kept
    success, errors = [], []
    for entry in receipts:
        if entry["ReceiptHandle"] in queue.deleted_messages:
            success.append(entry["Id"])
        else:
            errors.append(
                {
                    "Id": entry["Id"],
                    "SenderFault": True,
                    "Code": "ReceiptHandleIsInvalid",
                    "Message": f'The input receipt handle "{entry["ReceiptHandle"]}" is not a valid receipt handle.',
                }
            )
    return success, errors


sqs_models.SQSBackend.delete_message_batch = _delete_message_batch_in_one_pass


# --- SQS FIFO deduplication without walking the queue ------------------------------------------------
# Each message sent to a FIFO queue is compared with every message the queue holds (9% of the emulator's
# busy time in the 10,000-event streaming run). Each queue now remembers the deduplication ids it accepted
# in the last five minutes, which is also what SQS does: an id stays taken for five minutes after it was
# accepted even when its message was already received and deleted (moto forgot it with the message).
# A queue that moto itself feeds to a Lambda event source mapping keeps moto's own path after this check.
_original_add_message = sqs_models.Queue.add_message
_DEDUPLICATION_WINDOW_MS = sqs_models.DEDUPLICATION_TIME_IN_SECONDS * 1000


def _deduplicated(queue, message):  # type: ignore[no-untyped-def]
    accepted = queue.__dict__.setdefault("_accepted_deduplication_ids", {})
    now = message.sent_timestamp
    while accepted:  # oldest first: an id is re-inserted at the end whenever it is accepted again
        oldest = next(iter(accepted))
        if now - accepted[oldest] < _DEDUPLICATION_WINDOW_MS:
            break
        del accepted[oldest]
    if message.deduplication_id in accepted:
        return True
    accepted[message.deduplication_id] = now
    return False


def _add_message_deduplicated_by_id(self, message):  # type: ignore[no-untyped-def]
    if self.fifo_queue and message.deduplication_id is not None:
        with self._messages_lock:
            if _deduplicated(self, message):
                return
    if self.lambda_event_source_mappings:
        return _original_add_message(self, message)
    with self._messages_lock:
        self._messages.append(message)
        self._messages_lock.notify_all()


sqs_models.Queue.add_message = _add_message_deduplicated_by_id


# --- No access log line per request ------------------------------------------------------------------
# werkzeug logs every request at INFO, and writing those lines through the logging module was 10% of the
# emulator's busy time in the 10,000-event streaming run. Errors are still logged.
# LOCAL_EMULATOR_REQUEST_LOG=1 brings the lines back when debugging.
import logging  # noqa: E402

if os.environ.get("LOCAL_EMULATOR_REQUEST_LOG") != "1":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


# --- EventBridge input paths parsed once --------------------------------------------------------------
# Every rule target of every event (the bus archive's rule included) goes through moto's input template,
# which parses its six default JSONPath expressions with a new parser each time (ply builds its lexer and
# grammar tables per parse): 8% of the emulator's CPU in the 10,000-event streaming run. A parsed path
# is never changed by find(), so each expression is parsed once.
import functools  # noqa: E402
import jsonpath_ng.ext as jsonpath_ext  # noqa: E402

jsonpath_ext.parse = functools.lru_cache(maxsize=1024)(jsonpath_ext.parse)


# --- Request routing without a directory listing per request -------------------------------------------
# moto's server finds each request's backend by listing its own package directory and trying every
# service's URL patterns, under one lock shared by all requests: 28% of the emulator's CPU during the
# streaming e2e run. The answer depends only on the host name it derives, so it is remembered per host.
from moto.moto_server import werkzeug_app  # noqa: E402

_original_backend_for_host = werkzeug_app.DomainDispatcherApplication.get_backend_for_host
_backend_by_host: dict = {}


def _backend_for_host_remembered(self, host):  # type: ignore[no-untyped-def]
    if host is None:
        return None
    if host not in _backend_by_host:
        _backend_by_host[host] = _original_backend_for_host(self, host)
    return _backend_by_host[host]


werkzeug_app.DomainDispatcherApplication.get_backend_for_host = _backend_for_host_remembered


# The local runtime's hand-offs (docs/local.md): EventBridge Lambda targets and Firehose records go to
# queues the runtime reads, once it has created them; until then moto behaves as before. The snapshot
# hooks only add /moto-api/snapshot/{save,load} (make local's saved emulator, local/snapshot.ts).
import runpy  # noqa: E402

_repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for _hooks in ("local/eventbridge/moto_hooks.py", "local/firehose/moto_hooks.py", "local/emulator/snapshot_hooks.py"):
    runpy.run_path(os.path.join(_repo, _hooks))["install"]()


if __name__ == "__main__":
    server.main(sys.argv[1:])
