"""EventBridge -> local runtime hand-off, for local/emulator/moto_shim.py to install.

moto cannot deliver to Lambda targets: a PutEvents (or a replay) that matches a rule with one
answers 500, and the rule's other targets get nothing either. With this hook, moto delivers the
other targets itself and hands each (rule, Lambda target, event) to the local runtime through an
SQS queue in the emulator (local/eventbridge/outbox.ts reads it; the runtime applies the target's
input transformer, retry policy and DLQ, then Lambda's asynchronous invocation). The runtime creates
the queue when it starts: until then (tests without the runtime) moto behaves as it always did.
"""

import copy
import json
from datetime import datetime

from moto.events import models as events_models
from moto.sqs.models import sqs_backends

HANDOFF_QUEUE = "local-runtime-eventbridge-lambda-targets"  # outbox.ts SHIM_OUTBOX_QUEUE


def _is_lambda(target):  # type: ignore[no-untyped-def]
    return target["Arn"].split(":")[2] == "lambda"


def _epoch(value):  # type: ignore[no-untyped-def]
    """An event's or a replay's time as epoch seconds: a number, or ISO 8601 text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def install():  # type: ignore[no-untyped-def]
    original = events_models.Rule.send_to_targets
    original_replay = events_models.Replay.replay_events

    def replay_events(self, archive):  # type: ignore[no-untyped-def]
        # moto replays every archived event; AWS only those whose time is within the replay's window.
        start, end = _epoch(self.event_start_time), _epoch(self.event_end_time)
        window = copy.copy(archive)
        window.events = [e for e in archive.events if "time" in e and start <= _epoch(e["time"]) <= end]
        return original_replay(self, window)

    events_models.Replay.replay_events = replay_events

    def send_to_targets(self, original_event, transform_input=True):  # type: ignore[no-untyped-def]
        sqs = sqs_backends[self.account_id][self.region_name]
        lambda_targets = [t for t in self.targets if _is_lambda(t)]
        if not lambda_targets or HANDOFF_QUEUE not in sqs.queues:
            return original(self, original_event, transform_input)
        # AWS does not deliver for a disabled rule (moto does not check).
        if self.state != "ENABLED" or not self.event_pattern.matches_event(original_event):
            return None
        for target in lambda_targets:
            sqs.send_message(HANDOFF_QUEUE, json.dumps({"ruleArn": self.arn, "targetId": target["Id"], "event": original_event}))
        # The other targets as moto delivers them, on a copy: the rule itself is never changed.
        others = copy.copy(self)
        others.targets = [t for t in self.targets if not _is_lambda(t)]
        return original(others, original_event, transform_input)

    events_models.Rule.send_to_targets = send_to_targets
