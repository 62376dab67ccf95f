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
from moto.s3 import models as s3_models  # noqa: E402
from moto.sqs import models as sqs_models  # noqa: E402

_original_set_attributes = sqs_models.Queue._set_attributes


def _set_attributes_with_kms(self, attributes, now=None):  # type: ignore[no-untyped-def]
    """moto keeps SqsManagedSseEnabled=true on a queue encrypted with a CMK. AWS reports false (the
    two are exclusive), and the provider waits for false until it times out."""
    _original_set_attributes(self, attributes, now)
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

if __name__ == "__main__":
    server.main(sys.argv[1:])
