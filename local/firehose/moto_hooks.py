"""Firehose -> local runtime hand-off, for local/emulator/moto_shim.py to install.

moto writes PutRecord(Batch) straight to the S3 destination: no processor, no buffering, prefixes
left literal. With this hook, records for an (extended) S3 destination go to an SQS queue in the
emulator instead, read by local/firehose/index.ts, which owns delivery as Firehose does. The runtime
creates the queue when it starts: until then (tests without the runtime) moto behaves as it always did.
"""

import base64
import json
import time

from moto.firehose import models as firehose_models
from moto.firehose.exceptions import InvalidArgumentException
from moto.moto_api._internal import mock_random
from moto.sqs.models import sqs_backends

HANDOFF_QUEUE = "local-runtime-firehose-records"  # index.ts FIREHOSE_HANDOFF_QUEUE
# Hand-off messages stay under the queue's 1 MiB limit with room for the JSON around the records.
MESSAGE_BUDGET = 900_000


def install():  # type: ignore[no-untyped-def]
    original = firehose_models.FirehoseBackend.put_s3_records

    def put_s3_records(self, delivery_stream_name, version_id, s3_destination, records):  # type: ignore[no-untyped-def]
        sqs = sqs_backends[self.account_id][self.region_name]
        if HANDOFF_QUEUE not in sqs.queues:
            return original(self, delivery_stream_name, version_id, s3_destination, records)
        arrival = int(time.time() * 1000)
        entries = []
        for record in records:
            data = record["Data"]
            raw = data if isinstance(data, bytes) else base64.b64decode(data)
            entry = {"recordId": str(mock_random.uuid4()), "data": base64.b64encode(raw).decode(), "approximateArrivalTimestamp": arrival}
            if len(entry["data"]) > MESSAGE_BUDGET:
                raise InvalidArgumentException(f"a record of {len(raw)} bytes is larger than the local runtime's hand-off carries ({MESSAGE_BUDGET * 3 // 4} bytes)")
            entries.append(entry)
        chunk, size = [], 0
        for entry in entries:
            if chunk and size + len(entry["data"]) > MESSAGE_BUDGET:
                sqs.send_message(HANDOFF_QUEUE, json.dumps({"deliveryStreamName": delivery_stream_name, "records": chunk}))
                chunk, size = [], 0
            chunk.append(entry)
            size += len(entry["data"]) + 100
        if chunk:
            sqs.send_message(HANDOFF_QUEUE, json.dumps({"deliveryStreamName": delivery_stream_name, "records": chunk}))
        return [{"RecordId": entry["recordId"]} for entry in entries]

    firehose_models.FirehoseBackend.put_s3_records = put_s3_records
