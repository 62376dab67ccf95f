import { expect } from 'chai';
import { decodeS3Key, parseQueueMessage, s3EventFor } from '../../../functions/etl/s3-events';

describe('S3 event notifications', function () {
  it('decodes form-encoded keys: + is a space, %2B a plus, unicode', function () {
    expect(decodeS3Key('incoming/my+file%2B1.csv')).to.equal('incoming/my file+1.csv');
    expect(decodeS3Key('incoming/%C3%BCber+%E2%9C%93.csv')).to.equal('incoming/über ✓.csv');
    expect(decodeS3Key('incoming%2Fa.csv')).to.equal('incoming/a.csv');
  });

  it('reads created objects with their version and ignores other events', function () {
    const message = parseQueueMessage(
      JSON.stringify({
        Records: [
          { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'incoming/a+b.csv', versionId: 'v1', eTag: 'e' } } },
          { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'incoming/x.csv' } } },
        ],
      }),
    );
    expect(message).to.deep.equal({ kind: 'files', files: [{ bucket: 'b', key: 'incoming/a b.csv', versionId: 'v1', etag: 'e' }] });
  });

  it('recognises the s3:TestEvent and continuations', function () {
    expect(parseQueueMessage('{"Service":"Amazon S3","Event":"s3:TestEvent"}')).to.deep.equal({ kind: 'test-event' });
    const file = { bucket: 'b', key: 'k' };
    expect(parseQueueMessage(JSON.stringify({ etlContinuation: { file, token: 't' } }))).to.deep.equal({ kind: 'continuation', continuation: { file, token: 't' } });
  });

  it('refuses anything else, so it reaches the DLQ', function () {
    expect(() => parseQueueMessage('{"hello":1}')).to.throw(/not an S3 event/);
    expect(() => parseQueueMessage('nope')).to.throw();
  });

  it('names what is wrong with a malformed body (null, an empty continuation, a record without a key)', function () {
    const cases: [string, RegExp][] = [
      ['null', /must be a JSON object, got null/],
      ['[1]', /must be a JSON object, got an array/],
      ['{"etlContinuation":null}', /etlContinuation must be an object/],
      ['{"etlContinuation":{}}', /etlContinuation.token is missing/],
      ['{"etlContinuation":{"token":"t"}}', /etlContinuation.file must be an object/],
      ['{"etlContinuation":{"token":"t","file":{"bucket":"b"}}}', /etlContinuation.file needs a non-empty bucket and key/],
      ['{"Records":[null]}', /Records\[0\] is not an object/],
      ['{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}', /Records\[0\] \(ObjectCreated:Put\) has no s3.bucket.name or s3.object.key/],
      ['{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%E0%A4%A"}}}]}', /not a valid form-encoded key/],
    ];
    for (const [body, reason] of cases) {
      let error: Error | undefined;
      try {
        parseQueueMessage(body);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message, body).to.match(reason);
      expect(error?.name, body).to.equal('MalformedMessageError');
    }
  });

  it("round-trips the sweeper's own notifications", function () {
    const file = { bucket: 'b', key: 'incoming/über a+b.csv', versionId: 'v', etag: 'e' };
    expect(parseQueueMessage(s3EventFor(file))).to.deep.equal({ kind: 'files', files: [file] });
  });
});
