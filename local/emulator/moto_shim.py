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

if __name__ == "__main__":
    server.main(sys.argv[1:])
