import { expect } from 'chai';
import { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from '../../../local/eventbridge/pattern';

/** [what, pattern, event, matches]: the examples of the EventBridge user guide's "content filtering" page, both ways. */
const cases: [string, object, object, boolean][] = [
  ['exact value', { source: ['aws.ec2'] }, { source: 'aws.ec2' }, true],
  ['exact value, other source', { source: ['aws.ec2'] }, { source: 'aws.s3' }, false],
  ['any of several values', { detail: { state: ['running', 'stopped'] } }, { detail: { state: 'stopped' } }, true],
  ['every field must match (AND)', { source: ['aws.ec2'], detail: { state: ['running'] } }, { source: 'aws.ec2', detail: { state: 'stopped' } }, false],
  ['strings do not match numbers', { detail: { n: ['5'] } }, { detail: { n: 5 } }, false],
  ['numbers match by value', { detail: { n: [300] } }, { detail: { n: 300.0 } }, true],
  ['null matches null', { detail: { id: [null] } }, { detail: { id: null } }, true],
  ['null does not match a missing field', { detail: { id: [null] } }, { detail: {} }, false],
  ['empty string matches empty string', { detail: { id: [''] } }, { detail: { id: '' } }, true],
  ['a value in an event array', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'other'] }, true],
  ['no value of the event array', { resources: ['x'] }, { resources: ['a', 'b'] }, false],
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
  ['prefix, no match', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' }, false],
  ['prefix ignoring case', { detail: { name: [{ prefix: { 'equals-ignore-case': 'ALICE' } }] } }, { detail: { name: 'alice-smith' } }, true],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, { detail: { FileName: 'cat.png' } }, true],
  ['suffix, no match', { detail: { FileName: [{ suffix: '.png' }] } }, { detail: { FileName: 'cat.jpg' } }, false],
  ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, { 'detail-type': 'EC2 Instance State-change Notification' }, true],
  ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'stopped' } }, true],
  ['anything-but a string, excluded', { detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'initializing' } }, false],
  ['anything-but a number', { detail: { x: [{ 'anything-but': 100 }] } }, { detail: { x: 100 } }, false],
  ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, { detail: { state: 'running' } }, true],
  ['anything-but a list, excluded', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, { detail: { state: 'overloaded' } }, false],
  ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, { detail: { state: 'initializing' } }, false],
  ['anything-but a prefix, other value', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, { detail: { state: 'running' } }, true],
  ['anything-but a suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, { detail: { FileName: 'notes.txt' } }, false],
  ['anything-but ignoring case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, { detail: { state: 'STOPPED' } }, false],
  ['anything-but does not match a missing field', { detail: { state: [{ 'anything-but': 'x' }] } }, { detail: {} }, false],
  ['numeric range', { detail: { x: [{ numeric: ['>', 0, '<=', 5] }] } }, { detail: { x: 5 } }, true],
  ['numeric range, above', { detail: { x: [{ numeric: ['>', 0, '<=', 5] }] } }, { detail: { x: 5.1 } }, false],
  ['numeric equality', { detail: { z: [{ numeric: ['=', 3.018e2] }] } }, { detail: { z: 301.8 } }, true],
  ['numeric on a string', { detail: { x: [{ numeric: ['>', 0] }] } }, { detail: { x: '7' } }, false],
  ['numeric on an array element', { detail: { x: [{ numeric: ['<', 10] }] } }, { detail: { x: [50, 5] } }, true],
  ['cidr', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.0.255' } }, true],
  ['cidr, outside', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.1.0' } }, false],
  ['exists', { detail: { state: [{ exists: true }] } }, { detail: { state: 'x' } }, true],
  ['exists, missing', { detail: { state: [{ exists: true }] } }, { detail: {} }, false],
  ['exists false, missing', { detail: { state: [{ exists: false }] } }, { detail: {} }, true],
  ['exists false, missing parent', { detail: { state: [{ exists: false }] } }, { source: 'a' }, true],
  ['exists false, present', { detail: { state: [{ exists: false }] } }, { detail: { state: null } }, false],
  ['exists matches leaves only', { detail: { state: [{ exists: true }] } }, { detail: { state: { code: 16 } } }, false],
  ['nested objects', { detail: { 'instance-state': { name: ['running'] } } }, { detail: { 'instance-state': { name: 'running', code: 16 } } }, true],
  ['a nested pattern on a missing object', { detail: { a: { b: ['x'] } } }, { detail: {} }, false],
  ['wildcard', { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' }, true],
  ['wildcard, no match', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, { detail: { FileName: 'dir/a.jpg' } }, false],
  ['wildcard escaped star', { detail: { v: [{ wildcard: 'a\\*b' }] } }, { detail: { v: 'axxb' } }, false],
  ['$or: one alternative', { $or: [{ detail: { a: [1] } }, { detail: { b: [2] } }] }, { detail: { b: 2 } }, true],
  ['$or: none', { $or: [{ detail: { a: [1] } }, { detail: { b: [2] } }] }, { detail: { a: 2, b: 1 } }, false],
  ['$or with another field', { source: ['s'], $or: [{ detail: { a: [1] } }, { detail: { b: [2] } }] }, { source: 't', detail: { a: 1 } }, false],
  ['empty pattern matches everything', {}, { source: 'anything' }, true],
];

describe('local EventBridge: event patterns', function () {
  for (const [what, pattern, event, expected] of cases) {
    it(`${what}: ${expected ? 'matches' : 'does not match'}`, function () {
      expect(matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event)).to.equal(expected);
    });
  }

  it('refuses patterns PutRule refuses', function () {
    expect(() => parseEventPattern('{"source": "aws.ec2"}')).to.throw(InvalidEventPatternError, 'must be an object or an array');
    expect(() => parseEventPattern('{"source": []}')).to.throw(InvalidEventPatternError, 'empty arrays');
    expect(() => parseEventPattern('not json')).to.throw(InvalidEventPatternError, 'not JSON');
    expect(() => matchesEventPattern(parseEventPattern('{"a": [{"numeric": [">"]}]}'), { a: 1 })).to.throw(InvalidEventPatternError, 'pairs');
    expect(() => matchesEventPattern(parseEventPattern('{"a": [{"nope": 1}]}'), { a: 1 })).to.throw(InvalidEventPatternError, 'unknown filter operator');
  });
});
