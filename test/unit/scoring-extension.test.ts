// The editor's scoring decisions that need no VS Code: origins (API keys are per origin), plain-HTTP warnings,
// whether premem.json's runs read the output log, and adding it to "runs".
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/core/config';
import { parseScoringConfig } from '../../src/core/scoring/config';
import { endpointOrigins, isLoopback, plainHttpOrigins, redact, sourcesRead, withRunSource } from '../../src/extension/scoring/endpoints';
import { tempDirSync } from '../support/temp-dir';

describe('scoring in the editor: endpoints', () => {
  test('origins are distinct scheme://host:port over every checkpoint, in config order', () => {
    const scoring = parseScoringConfig(
      {
        endpoints: ['http://gpu-1:8000/v1', 'http://gpu-2:8000'],
        checkpoints: ['ep1', { id: 'ep2', endpoint: 'https://api.example.com/serve/v1/' }, { id: 'ep3', endpoint: 'http://gpu-1:8000' }],
      },
      'gsm8k',
    );
    assert.deepEqual(endpointOrigins(scoring), ['http://gpu-1:8000', 'http://gpu-2:8000', 'https://api.example.com']);
  });

  test('loopback hosts are recognised; plain http elsewhere is flagged, https never', () => {
    for (const u of ['http://localhost:8000', 'http://127.0.0.1:1', 'http://127.8.9.10', 'http://[::1]:8000', 'http://x.localhost']) assert.ok(isLoopback(u), u);
    for (const u of ['http://10.0.0.5:8000', 'http://gpu-1:8000', 'http://127.0.0.1.evil.com', 'http://localhost.evil.com', 'http://[::2]']) assert.ok(!isLoopback(u), u);
    assert.deepEqual(plainHttpOrigins(['http://127.0.0.1:8000', 'http://gpu-1:8000', 'https://gpu-2', 'http://[::1]:9']), ['http://gpu-1:8000']);
  });

  test('redact removes every occurrence of the key', () => {
    assert.equal(redact('401 for sk-abc: bad key sk-abc', 'sk-abc'), '401 for ••••: bad key ••••');
    assert.equal(redact('no key here', undefined), 'no key here');
  });
});

describe('scoring in the editor: the output log among the runs', () => {
  const dir = tempDirSync('premem-scoring-ext-');
  const at = (...p: string[]) => path.join(dir, ...p);
  mkdirSync(at('runs/deep/deeper/deepest'), { recursive: true });
  mkdirSync(at('paper/checkpoint-10'), { recursive: true });
  writeFileSync(at('runs/old.premem.jsonl'), '');
  writeFileSync(at('paper/checkpoint-10/train_perplexities.npy'), '');
  // A PreMem log beside the paper layout is not read: the folder is read as the paper's format.
  writeFileSync(at('paper/scored.premem.jsonl'), '');

  test('a file source, a PreMem folder (two levels deep) and an explicit premem folder read the log', async () => {
    assert.ok(await sourcesRead([{ path: at('runs/scored.premem.jsonl'), format: 'auto' }], at('runs/scored.premem.jsonl')));
    assert.ok(await sourcesRead([{ path: at('runs'), format: 'auto' }], at('runs/scored.premem.jsonl')));
    assert.ok(await sourcesRead([{ path: at('runs'), format: 'auto' }], at('runs/deep/deeper/x.premem.jsonl')));
    assert.ok(await sourcesRead([{ path: at('elsewhere'), format: 'premem' }], at('elsewhere/x.premem.jsonl')));
  });

  test('other files, deeper folders, other suffixes and folders of other formats do not', async () => {
    assert.ok(!(await sourcesRead([], at('runs/scored.premem.jsonl'))));
    assert.ok(!(await sourcesRead([{ path: at('runs/old.premem.jsonl'), format: 'auto' }], at('runs/scored.premem.jsonl'))));
    assert.ok(!(await sourcesRead([{ path: at('runs'), format: 'auto' }], at('runs/deep/deeper/deepest/x.premem.jsonl'))));
    assert.ok(!(await sourcesRead([{ path: at('runs'), format: 'auto' }], at('runs/scored.jsonl'))));
    assert.ok(!(await sourcesRead([{ path: at('runs'), format: 'lm-eval' }], at('runs/scored.premem.jsonl'))));
    assert.ok(!(await sourcesRead([{ path: at('paper'), format: 'auto' }], at('paper/scored.premem.jsonl'))));
    assert.ok(!(await sourcesRead([{ path: at('runs'), format: 'auto' }], at('runs-2/scored.premem.jsonl'))));
  });

  test('withRunSource appends a relative path to "runs", keeping every other field and its order', () => {
    const file = at('premem.json');
    const text = JSON.stringify({ dataset: 'd.jsonl', runs: ['paper', { path: 'x', format: 'premem' }], p: 1.1, scoring: { k: 3 } });
    const out = withRunSource(text, file, at('runs/scored.premem.jsonl'));
    assert.deepEqual(JSON.parse(out), { dataset: 'd.jsonl', runs: ['paper', { path: 'x', format: 'premem' }, 'runs/scored.premem.jsonl'], p: 1.1, scoring: { k: 3 } });
    assert.deepEqual(Object.keys(JSON.parse(out)), ['dataset', 'runs', 'p', 'scoring']);
    const reread = parseConfig(out, file);
    assert.equal(reread.runs[2].path, at('runs/scored.premem.jsonl'));
  });

  test('withRunSource adds "runs" after "dataset" when missing, and names the file on bad JSON', () => {
    const file = at('premem.json');
    const out = withRunSource('{"dataset":"d.jsonl","t":0.5}', file, at('out/s.premem.jsonl'));
    assert.deepEqual(Object.keys(JSON.parse(out)), ['dataset', 'runs', 't']);
    assert.deepEqual(JSON.parse(out).runs, ['out/s.premem.jsonl']);
    assert.throws(() => withRunSource('{"dataset":', file, at('x.premem.jsonl')), (err: Error) => err.name === 'InputError' && err.message.includes(file));
    assert.throws(() => withRunSource('{"dataset":"d","runs":"r"}', file, at('x.premem.jsonl')), /runs/);
  });
});
