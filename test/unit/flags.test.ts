import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { openDataset } from '../../src/core/dataset/open';
import { FlagStore, flagFilePath } from '../../src/core/flags/flag-store';
import { repoRoot } from '../support/shared';
import { tempDirSync } from '../support/temp-dir';

const scratch = tempDirSync('premem-flags-');
const running = new Set<Writer>();
after(() => {
  // A failed assertion must not leave a writer looping forever.
  for (const w of running) w.kill('SIGKILL');
});
let counter = 0;
const freshDataset = () => path.join(scratch, `dataset-${++counter}.jsonl`);

const rawLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

// A separate writer process (another VS Code window, or a CLI run). Modes:
//   flags N          flag <prefix>-0 … <prefix>-(N-1), printing each index once the flag call has returned
//   flag-unflag N    the same, and unflag every third key right after flagging it
// With GO_FILE set, it says "ready" and waits for that file to exist, so that several writers start together.
const WRITER = `
const { existsSync } = require('node:fs');
const { FlagStore } = require(process.env.FLAG_STORE_MODULE);
(async () => {
  const [dataset, prefix, mode, count] = process.argv.slice(1);
  const store = await FlagStore.open(dataset);
  process.stdout.write('ready\\n');
  while (process.env.GO_FILE && !existsSync(process.env.GO_FILE)) await new Promise((r) => setTimeout(r, 2));
  for (let i = 0; i < Number(count); i++) {
    await store.flag(prefix + '-' + i, { reason: 'fragile', note: 'writer ' + prefix + ', event ' + i, author: prefix, line: i + 1 });
    if (mode === 'flag-unflag' && i % 3 === 0) await store.unflag(prefix + '-' + i, prefix);
    process.stdout.write(i + '\\n');
    // Writers started together spread their events over about half a second, so that they overlap even when a
    // busy machine leaves one of them unscheduled for tens of milliseconds.
    if (process.env.GO_FILE) await new Promise((r) => setTimeout(r, 3));
  }
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface Writer {
  acked: number[];
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  done: boolean;
  kill(signal: NodeJS.Signals): void;
}

function startWriter(dataset: string, prefix: string, mode: 'flags' | 'flag-unflag', count: number, goFile = ''): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', WRITER, dataset, prefix, mode, String(count)], {
    cwd: repoRoot,
    env: { ...process.env, FLAG_STORE_MODULE: path.join(repoRoot, 'src/core/flags/flag-store.ts'), GO_FILE: goFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: number[] = [];
  let stderr = '';
  let buffered = '';
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    buffered += text;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) {
      if (p === 'ready') onReady();
      else acked.push(Number(p));
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const writer: Writer = {
    acked,
    ready,
    done: false,
    exited: new Promise((resolve) =>
      child.on('close', (code, signal) => {
        writer.done = true;
        running.delete(writer);
        onReady();
        resolve({ code, signal, stderr });
      }),
    ),
    kill: (signal) => child.kill(signal),
  };
  running.add(writer);
  return writer;
}

test('flag, unflag: the last event per key wins, one JSON line per event with the documented fields', async () => {
  const dataset = freshDataset();
  const store = await FlagStore.open(dataset);
  assert.equal(existsSync(flagFilePath(dataset)), false, 'opening creates no file');
  await store.flag('k1', { reason: 'fragile', note: 'rephrase it', author: 'ana', line: 3, query: 'x'.repeat(200) });
  await store.flag('k2', { reason: 'keep', author: 'ana' });
  await store.flag('k1', { reason: 'wrong-target', note: 'answer is 18', author: 'bo' });
  await store.unflag('k2', 'bo');
  assert.deepEqual(store.flaggedKeys(), ['k1']);
  assert.equal(store.state('k2'), undefined);
  const k1 = store.state('k1')!;
  assert.equal(k1.reason, 'wrong-target');
  assert.equal(k1.note, 'answer is 18');
  assert.equal(k1.author, 'bo');
  assert.ok(!Number.isNaN(Date.parse(k1.time)));

  const lines = rawLines(flagFilePath(dataset)).map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  assert.deepEqual(Object.keys(lines[0]), ['v', 'op', 'key', 'reason', 'note', 'time', 'author', 'line', 'query']);
  assert.equal(lines[0].query.length, 80, 'the query excerpt is cut to 80 characters');
  assert.deepEqual(
    lines.map((l) => [l.op, l.key]),
    [['flag', 'k1'], ['flag', 'k2'], ['flag', 'k1'], ['unflag', 'k2']],
  );
  await assert.rejects(store.flag('k3', { reason: 'bogus' as never, author: 'ana' }), /unknown flag reason/);
  await assert.rejects(store.flag('', { reason: 'other', author: 'ana' }), /non-empty example key/);
});

test('bad lines are warnings with file and line; every good event is still read', async () => {
  const dataset = freshDataset();
  const file = flagFilePath(dataset);
  const good = (key: string) => JSON.stringify({ v: 1, op: 'flag', key, reason: 'duplicate', note: '', time: '2025-01-01T00:00:00Z', author: 'x' });
  writeFileSync(
    file,
    [
      good('a'),
      'not json at all',
      JSON.stringify({ v: 1, op: 'flag', key: 'b', reason: 'because', time: 't', author: 'x' }),
      '',
      JSON.stringify({ v: 2, op: 'flag', key: 'c', reason: 'keep', time: 't', author: 'x' }),
      good('d'),
      '{"v":1,"op":"flag","key":"e","rea',
    ].join('\n'),
  );
  const store = await FlagStore.open(dataset);
  assert.deepEqual(store.flaggedKeys(), ['a', 'd']);
  const problems = store.problems.map((p) => [p.file, p.line, p.field ?? null, p.severity]);
  assert.deepEqual(problems, [
    [file, 2, null, 'warning'],
    [file, 3, 'reason', 'warning'],
    [file, 5, 'v', 'warning'],
    [file, 7, null, 'warning'],
  ]);
  assert.match(store.problems[3].message, /incomplete/);

  // The torn last line gets a newline first, so the new event is never glued to it.
  await store.flag('f', { reason: 'other', author: 'y' });
  assert.deepEqual(store.flaggedKeys(), ['a', 'd', 'f']);
  const reopened = await FlagStore.open(dataset);
  assert.deepEqual(reopened.flaggedKeys(), ['a', 'd', 'f']);
  assert.deepEqual(
    reopened.problems.map((p) => p.line),
    [2, 3, 5, 7],
  );
  assert.match(reopened.problems[3].message, /not a JSON flag event/);
  assert.equal(rawLines(file).at(-1), rawLines(file).find((l) => l.includes('"key":"f"')));
});

test('a CRLF file (git autocrlf) and a byte order mark are read', async () => {
  const dataset = freshDataset();
  const line = (key: string) => JSON.stringify({ v: 1, op: 'flag', key, reason: 'fragile', note: 'é ✓', time: 't', author: 'x' });
  writeFileSync(flagFilePath(dataset), '\ufeff' + line('a') + '\r\n' + line('b') + '\r\n');
  const store = await FlagStore.open(dataset);
  assert.deepEqual(store.flaggedKeys(), ['a', 'b']);
  assert.equal(store.state('a')!.note, 'é ✓');
  assert.deepEqual(store.problems, []);
});

test('reload() picks up events appended by another writer, and the change callback names the keys', async () => {
  const dataset = freshDataset();
  const mine = await FlagStore.open(dataset);
  const theirs = await FlagStore.open(dataset);
  const changes: string[][] = [];
  mine.onChange((c) => changes.push(c.keys));
  await theirs.flag('t1', { reason: 'ambiguous-question', author: 'them' });
  await theirs.flag('t2', { reason: 'fragile', author: 'them' });
  assert.equal(mine.state('t1'), undefined, 'not seen before reload');
  await mine.reload();
  assert.deepEqual(mine.flaggedKeys(), ['t1', 't2']);
  assert.deepEqual(changes, [['t1', 't2']]);
  await mine.flag('m1', { reason: 'keep', author: 'me' });
  await theirs.unflag('t1', 'them');
  await mine.reload();
  assert.deepEqual(mine.flaggedKeys(), ['t2', 'm1']);
  assert.deepEqual(changes, [['t1', 't2'], ['m1'], ['t1']]);
  assert.deepEqual((await mine.reload()).keys, [], 'nothing new, no change');
});

test('compaction keeps the latest flag per key, drops unflagged keys, keeps lines of other format versions', async () => {
  const dataset = freshDataset();
  const store = await FlagStore.open(dataset);
  await store.flag('a', { reason: 'fragile', author: 'x' });
  await store.flag('b', { reason: 'fragile', author: 'x' });
  await store.flag('a', { reason: 'keep', note: 'fine as is', author: 'y' });
  await store.unflag('b', 'x');
  await store.flag('c', { reason: 'other', author: 'x' });
  const future = JSON.stringify({ v: 2, op: 'flag', key: 'z', reason: 'new-kind' });
  appendFileSync(store.path, future + '\n' + 'garbage\n');
  const other = await FlagStore.open(dataset);
  const result = await store.compact();
  assert.deepEqual(result, { linesBefore: 7, linesAfter: 3 });
  const lines = rawLines(store.path);
  assert.deepEqual(
    lines.map((l) => JSON.parse(l).key),
    ['a', 'c', 'z'],
  );
  assert.equal(lines[2], future);
  assert.equal(store.state('a')!.reason, 'keep');
  assert.equal(store.state('a')!.note, 'fine as is');
  assert.deepEqual(store.flaggedKeys(), ['a', 'c']);
  // Another instance notices the file was replaced and reads it again whole.
  await other.reload();
  assert.deepEqual(other.flaggedKeys(), ['a', 'c']);
  assert.equal(other.problems.length, 1, 'only the v2 line is unreadable now');
  assert.equal(existsSync(store.lockPath), false, 'the lock is released');
});

test('crash: a writer killed with SIGKILL loses no completed event; a torn tail is a warning and the next flag appends cleanly', async () => {
  const dataset = freshDataset();
  const writer = startWriter(dataset, 'w', 'flags', 1_000_000);
  await writer.ready;
  // Let it write for a random while, then kill it wherever it is (possibly holding the lock).
  while (writer.acked.length < 20 && !writer.done) await new Promise((r) => setTimeout(r, 10));
  if (writer.done) assert.fail(`the writer stopped early: ${(await writer.exited).stderr}`);
  await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
  writer.kill('SIGKILL');
  const { signal } = await writer.exited;
  assert.equal(signal, 'SIGKILL');
  const acked = writer.acked.slice();
  assert.ok(acked.length >= 20);

  const store = await FlagStore.open(dataset);
  for (const i of acked) assert.ok(store.state(`w-${i}`), `acknowledged event w-${i} is in the file`);
  assert.deepEqual(store.problems, [], 'one write per event: a kill cannot tear it');
  const flagged = new Set(store.flaggedKeys());
  // Events are complete and in order: 0 … n-1, at most one more than acknowledged.
  assert.ok(flagged.size === acked.length || flagged.size === acked.length + 1);
  for (let i = 0; i < flagged.size; i++) assert.ok(flagged.has(`w-${i}`));

  // A writer that dies inside a write (buffered output, a full disk) leaves half a line behind.
  const half = JSON.stringify({ v: 1, op: 'flag', key: 'torn', reason: 'fragile', note: '', time: 't', author: 'w' }).slice(0, 30);
  appendFileSync(store.path, half);
  const reopened = await FlagStore.open(dataset);
  assert.equal(reopened.flaggedKeys().length, flagged.size, 'the torn tail costs nothing else');
  assert.equal(reopened.problems.length, 1);
  assert.equal(reopened.problems[0].line, flagged.size + 1);
  assert.match(reopened.problems[0].message, /incomplete/);

  // A lock left by the killed writer belongs to a dead process: broken at once, not after 30 s.
  const started = Date.now();
  await reopened.flag('after-crash', { reason: 'other', note: 'written after the crash', author: 'me' });
  assert.ok(Date.now() - started < 5_000, `the new flag waited ${Date.now() - started} ms`);
  const last = rawLines(store.path).at(-1)!;
  assert.equal(JSON.parse(last).key, 'after-crash', 'the new event is a line of its own');
  const final = await FlagStore.open(dataset);
  assert.equal(final.flaggedKeys().length, flagged.size + 1);
  assert.equal(final.state('after-crash')!.note, 'written after the crash');
  assert.equal(final.problems.length, 1, 'the torn line stays a single warning');
});

test('two writer processes at once: every event is in the file exactly once, no line interleaved', async () => {
  const dataset = freshDataset();
  const go = path.join(scratch, `go-${counter}`);
  const writers = [startWriter(dataset, 'a', 'flags', 150, go), startWriter(dataset, 'b', 'flags', 150, go)];
  await Promise.all(writers.map((w) => w.ready));
  writeFileSync(go, '');
  const results = await Promise.all(writers.map((w) => w.exited));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const lines = rawLines(flagFilePath(dataset));
  assert.equal(lines.length, 300);
  const keys = lines.map((l) => {
    const e = JSON.parse(l);
    assert.equal(e.note, `writer ${e.author}, event ${e.key.split('-')[1]}`, 'each line is one whole event');
    return e.key as string;
  });
  assert.equal(new Set(keys).size, 300);
  for (const p of ['a', 'b']) {
    const own = keys.filter((k) => k.startsWith(`${p}-`)).map((k) => Number(k.split('-')[1]));
    assert.deepEqual(own, Array.from({ length: 150 }, (_, i) => i), `writer ${p}'s events are in its order`);
  }
  // They really overlapped: the two writers' lines alternate somewhere.
  const switches = keys.filter((k, i) => i > 0 && k[0] !== keys[i - 1][0]).length;
  assert.ok(switches > 1, `writers did not overlap (${switches} switches)`);
});

test('compaction while another process writes loses nothing', async () => {
  const dataset = freshDataset();
  const store = await FlagStore.open(dataset);
  const count = 240;
  const writer = startWriter(dataset, 'c', 'flag-unflag', count);
  await writer.ready;
  let compactions = 0;
  let compactedWhileWriting = 0;
  let running = true;
  void writer.exited.then(() => (running = false));
  while (running) {
    const before = writer.acked.length;
    await store.compact();
    compactions++;
    if (before > 0 && before < count && writer.acked.length < count) compactedWhileWriting++;
    await new Promise((r) => setTimeout(r, 5));
  }
  const { code, stderr } = await writer.exited;
  assert.equal(code, 0, stderr);
  assert.ok(compactedWhileWriting >= 3, `only ${compactedWhileWriting} of ${compactions} compactions overlapped the writer`);
  const expected = Array.from({ length: count }, (_, i) => i)
    .filter((i) => i % 3 !== 0)
    .map((i) => `c-${i}`);
  const reopened = await FlagStore.open(dataset);
  assert.deepEqual(reopened.flaggedKeys().sort(), expected.slice().sort());
  await reopened.compact();
  assert.equal(rawLines(reopened.path).length, expected.length);
});

test('flags follow the example, not the line, when the dataset is reordered; flags of removed examples are kept as orphans', async () => {
  const dataset = freshDataset();
  const records = Array.from({ length: 6 }, (_, i) => ({ question: `How many apples does pupil ${i} have?`, answer: `Some steps.\n#### ${i * 7}` }));
  writeFileSync(dataset, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  let ds = await openDataset(dataset, 'auto');
  const target = await ds.get(4);
  const gone = await ds.get(1);
  const store = await FlagStore.open(dataset);
  await store.flag(target.key, { reason: 'wrong-target', author: 'x', line: target.line, query: target.query });
  await store.flag(gone.key, { reason: 'fragile', author: 'x', line: gone.line, query: gone.query });
  await ds.close();

  // Reverse the order and edit record 1 (its content key changes: the old flag no longer matches anything).
  const edited = records.map((r, i) => (i === 1 ? { ...r, answer: r.answer.replace('####', 'So:\n####') } : r)).reverse();
  writeFileSync(dataset, edited.map((r) => JSON.stringify(r)).join('\n') + '\n');
  ds = await openDataset(dataset, 'auto');
  const reopened = await FlagStore.open(dataset);
  const index = ds.keyToIndex.get(target.key)!;
  const now = await ds.get(index);
  assert.equal(now.query, target.query, 'the flag points at the same question');
  assert.equal(now.line, 2, 'which now sits on another line');
  assert.equal(reopened.state(target.key)!.line, 5, 'the stored line is the one at flag time, informational');
  assert.deepEqual(
    reopened.orphans(ds).map((o) => o.key),
    [gone.key],
  );
  await reopened.compact();
  assert.ok((await FlagStore.open(dataset)).state(gone.key), 'compaction keeps orphaned flags');
  await ds.close();
});

test('the re-collection set of the flags: every reason but "keep", examples the dataset has, in dataset order', async () => {
  const store = await FlagStore.open(freshDataset());
  await store.flag('c', { reason: 'fragile', author: 'ana' });
  await store.flag('a', { reason: 'wrong-target', author: 'ana' });
  await store.flag('b', { reason: 'keep', author: 'ana' });
  await store.flag('gone', { reason: 'duplicate', author: 'ana' });
  const keyToIndex = new Map([['a', 0], ['b', 1], ['c', 2]]);
  assert.deepEqual(store.recollectionIndices({ keyToIndex }), [0, 2]);
  await store.flag('b', { reason: 'other', author: 'bo' });
  assert.deepEqual(store.recollectionIndices({ keyToIndex }), [0, 1, 2]);
});
