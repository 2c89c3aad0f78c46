// The shared message checks (webview/shared/guards.ts) and the rule every panel's protocol follows with them:
// a message of a known type with exactly its declared fields passes; an extra field, a missing one or an unknown
// type does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dashboard from '../../webview/dashboard/protocol';
import * as table from '../../webview/dataset-table/protocol';
import * as example from '../../webview/example/protocol';
import { arrayOf, isIndex, isJsonNumber, isString, literal, messageGuard, optional, recordOf, shape } from '../../webview/shared/guards';

test('shape is exact: every declared field checked, no undeclared field, optional fields may be absent', () => {
  const point = shape<{ x: number; label?: string }>({ x: isIndex, label: optional(isString) });
  assert.ok(point({ x: 1 }));
  assert.ok(point({ x: 1, label: 'a' }));
  assert.ok(!point({ x: 1, label: 2 }));
  assert.ok(!point({ x: 1, y: 2 }), 'an undeclared field');
  assert.ok(!point({}), 'a missing field');
  assert.ok(!point([1]) && !point(null) && !point('x'));
});

test('messageGuard: picks the check by type; an unknown type, a non-object, an inherited type name fail', () => {
  type M = { type: 'a'; n: number } | { type: 'b' };
  const isM = messageGuard<M>({ a: shape({ type: literal('a'), n: isIndex }), b: shape({ type: literal('b') }) });
  assert.ok(isM({ type: 'a', n: 0 }));
  assert.ok(isM({ type: 'b' }));
  assert.ok(!isM({ type: 'a', n: -1 }));
  assert.ok(!isM({ type: 'c' }));
  assert.ok(!isM({ type: 'toString' }), 'Object.prototype names are no message types');
  assert.ok(!isM({ type: 'b', extra: '<script>' }));
  assert.ok(!isM(undefined) && !isM([{ type: 'b' }]));
});

test('recordOf, arrayOf and isJsonNumber (null stands for a number that was not finite before JSON)', () => {
  const counts = recordOf(arrayOf(isJsonNumber));
  assert.ok(counts({ a: [1, null, 2.5], b: [] }));
  assert.ok(!counts({ a: [1, 'x'] }));
  assert.ok(!counts([[1]]));
});

test('the three panels refuse a message with an undeclared field, both ways', () => {
  const cases: [string, (m: unknown) => boolean, object][] = [
    ['dashboard → host', dashboard.isWebviewMessage, { type: 'ready' }],
    ['dashboard → webview', dashboard.isHostMessage, { type: 'notice', level: 'info', text: 'saved' }],
    ['example → host', example.isWebviewMessage, { type: 'reveal', index: 3 }],
    ['example → webview', example.isHostMessage, { type: 'error', message: 'x' }],
    ['table → host', table.isWebviewMessage, { type: 'gotoLine', line: 12 }],
    ['table → webview', table.isHostMessage, { type: 'idle', message: '' }],
  ];
  for (const [name, guard, message] of cases) {
    assert.ok(guard(message), `${name}: the declared message passes`);
    assert.ok(!guard({ ...message, extra: '<script>' }), `${name}: an undeclared field is refused`);
    assert.ok(!guard({ ...message, type: 'runCommand' }), `${name}: an unknown type is refused`);
  }
});
