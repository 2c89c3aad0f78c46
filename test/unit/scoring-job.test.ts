import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { openDataset } from '../../src/core/dataset/open';
import { gradeAgainst, targetAnswer } from '../../src/core/grading';
import type { Dataset } from '../../src/core/model';
import { loadRuns } from '../../src/core/runlog/load';
import { validateRecord, type ExampleRecord } from '../../src/core/runlog/premem/records';
import { fillTemplate, parseScoringConfig } from '../../src/core/scoring/config';
import { runScoringJob, ScoringJobRunning, scoringLockPath, type ScoringJobOptions } from '../../src/core/scoring/job';
import { ScoringRefused } from '../../src/core/scoring/probe';
import { readExamples, startReferenceServer, type ReferenceServer } from '../support/reference-server';
import { fixtures } from '../support/shared';
import { tempDir } from '../support/temp-dir';

const DATASET = path.join(fixtures, 'datasets/gsm8k-train-200.jsonl');
const examples = readExamples(DATASET);
const fastHttp = { backoffBaseMs: 1, backoffCapMs: 4 };

let dir: string;
let dataset: Dataset;
let logCount = 0;
const newLog = () => path.join(dir, `run-${++logCount}.premem.jsonl`);

function lines(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'), 'the log ends with a complete line');
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l));
}

function exampleRecords(file: string): ExampleRecord[] {
  return lines(file).filter((r) => (r as ExampleRecord).type === 'example') as ExampleRecord[];
}

/** Every (checkpoint, key) of the selection exactly once. */
function assertEachOnce(file: string, checkpoints: string[], indices: number[]) {
  const seen = new Map<string, number>();
  for (const r of exampleRecords(file)) {
    const k = `${r.checkpoint}/${r.key}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const dup = [...seen].filter(([, n]) => n > 1);
  assert.deepEqual(dup, [], 'no (checkpoint, key) is scored twice');
  for (const c of checkpoints) for (const i of indices) assert.equal(seen.get(`${c}/${dataset.keys[i]}`), 1, `${c}/${i} scored`);
  assert.equal(seen.size, checkpoints.length * indices.length);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function config(server: ReferenceServer | string, extra: Record<string, unknown> = {}) {
  const url = typeof server === 'string' ? server : server.url;
  return parseScoringConfig({ endpoints: [url], checkpoints: ['ep1', 'ep3'], k: 3, maxTokens: 80, concurrency: 8, batchSize: 4, ...extra }, 'gsm8k');
}

function job(server: ReferenceServer | string, opts: Partial<ScoringJobOptions> & { extra?: Record<string, unknown> } = {}) {
  return runScoringJob({ dataset, config: config(server, opts.extra), logPath: newLog(), run: 'r', http: fastHttp, ...opts });
}

before(async () => {
  dir = await tempDir('premem-scoring-');
  dataset = await openDataset(DATASET, 'gsm8k');
});
after(async () => {
  await dataset.close();
});

describe('scoring job', () => {
  let server: ReferenceServer;
  before(async () => (server = await startReferenceServer({ examples })));
  after(() => server.close());

  test('writes a run record, one checkpoint record each, and one graded record per (checkpoint, example)', async () => {
    const logPath = newLog();
    const indices = range(12);
    const summary = await runScoringJob({ dataset, config: config(server, { perturbations: true }), logPath, run: 'r', examples: indices });
    assert.equal(summary.status, 'complete');
    assert.deepEqual([summary.progress.done, summary.progress.total, summary.progress.skipped], [24, 24, 0]);
    const all = lines(logPath);
    for (const r of all) assert.ok(validateRecord(r).ok, JSON.stringify(r).slice(0, 200));
    assert.deepEqual(
      all.filter((r) => (r as { type: string }).type !== 'example'),
      [
        { v: 1, type: 'run', run: 'r', meta: (all[0] as { meta: unknown }).meta },
        { v: 1, type: 'checkpoint', run: 'r', checkpoint: 'ep1', step: 1 },
        { v: 1, type: 'checkpoint', run: 'r', checkpoint: 'ep3', step: 3 },
      ],
    );
    assertEachOnce(logPath, ['ep1', 'ep3'], indices);
    for (const r of exampleRecords(logPath)) {
      const e = await dataset.get(r.index);
      assert.equal(r.key, e.key);
      assert.equal(r.samples!.length, 3);
      const answer = targetAnswer('gsm8k', e.target);
      assert.deepEqual(
        r.outcomes,
        r.samples!.map((s) => ({ correct: 0, wrong: 1, unparseable: 2 })[gradeAgainst('gsm8k', answer, s).outcome]),
      );
      assert.ok(r.perplexity! > 1 && r.tokens! > 0 && Math.abs(Math.exp(r.nll!) - r.perplexity!) < 1e-9);
      assert.deepEqual(Object.keys(r.perturbations!), ['First', 'We know that']);
      assert.equal(r.perturbations!.First.samples!.length, 3);
    }
    // Memorization shows through: ep3 copies targets more and finds them less surprising.
    const mean = (c: string, f: (r: ExampleRecord) => number) => {
      const rs = exampleRecords(logPath).filter((r) => r.checkpoint === c);
      return rs.reduce((a, r) => a + f(r), 0) / rs.length;
    };
    const acc = (r: ExampleRecord) => r.outcomes.filter((o) => o === 0).length / r.outcomes.length;
    assert.ok(mean('ep3', acc) > mean('ep1', acc));
    assert.ok(mean('ep3', (r) => r.perplexity!) < mean('ep1', (r) => r.perplexity!));
    // And the log reads back as a run with both checkpoints.
    const loaded = await loadRuns(logPath, { format: 'premem', dataset });
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(
      loaded.runs[0].checkpoints.map((c) => [c.id, c.step]),
      [
        ['ep1', 1],
        ['ep3', 3],
      ],
    );
  });

  test('a selector chooses the examples; repeats are scored once', async () => {
    const logPath = newLog();
    const summary = await runScoringJob({ dataset, config: config(server), logPath, run: 'r', examples: () => [5, 3, 3, 7] });
    assert.equal(summary.status, 'complete');
    assertEachOnce(logPath, ['ep1', 'ep3'], [3, 5, 7]);
  });

  test('each example is tokenized once per tokenizer: checkpoints on the same servers share it, others set their own', async () => {
    const fresh = await startReferenceServer({ examples });
    try {
      const indices = range(12);
      const tokenizeCalls = async (checkpoints: unknown[]) => {
        const before = fresh.stats.byRoute['/tokenize'] ?? 0;
        const cfg = parseScoringConfig({ endpoints: [fresh.url], checkpoints, k: 2, maxTokens: 40, concurrency: 8, batchSize: 4 }, 'gsm8k');
        const logPath = newLog();
        const summary = await runScoringJob({ dataset, config: cfg, logPath, run: 'r', examples: indices, http: fastHttp });
        assert.equal(summary.status, 'complete', summary.error?.message);
        assertEachOnce(logPath, cfg.checkpoints.map((c) => c.id), indices);
        return (fresh.stats.byRoute['/tokenize'] ?? 0) - before;
      };
      // Two per example (the query, and query + target), plus two for the probe pair.
      assert.equal(await tokenizeCalls(['ep1', 'ep2', 'ep3']), 2 + 2 * indices.length);
      assert.equal(await tokenizeCalls([{ id: 'ep1', tokenizer: 'a' }, { id: 'ep2', tokenizer: 'b' }, { id: 'ep3', tokenizer: 'b' }]), 2 + 2 * 2 * indices.length);
    } finally {
      await fresh.close();
    }
  });

  test('records are written batch by batch from the start, not in bursts of every batch in flight', async () => {
    // Latency large enough that the time of an append (write and fsync) lets few other requests through.
    const fresh = await startReferenceServer({ examples, faults: { latencyMs: 20 } });
    try {
      const cfg = parseScoringConfig({ endpoints: [fresh.url], checkpoints: ['ep1'], k: 2, maxTokens: 40, concurrency: 8, batchSize: 4 }, 'gsm8k');
      const steps: number[] = [];
      let done = 0;
      let requestsAtFirstWrite = 0;
      const requestsBefore = fresh.stats.requests;
      const summary = await runScoringJob({
        dataset,
        config: cfg,
        logPath: newLog(),
        run: 'r',
        examples: range(64),
        http: fastHttp,
        onProgress: (p) => {
          if (p.done === done) return;
          if (done === 0) requestsAtFirstWrite = fresh.stats.requests - requestsBefore;
          steps.push(p.done - done);
          done = p.done;
        },
      });
      assert.equal(summary.status, 'complete', summary.error?.message);
      // A batch costs 10 requests (8 /tokenize, 1 sampling, 1 log-prob); the probe 5. The first batch is written
      // after a few batches' requests have been sent, not after those of all 8 batches in flight (85).
      assert.ok(requestsAtFirstWrite <= 5 + 4 * 10, `first record written after ${requestsAtFirstWrite} requests`);
      assert.ok(Math.max(...steps) <= 2 * 4, `records written per append: ${steps.join(' ')}`);
    } finally {
      await fresh.close();
    }
  });

  test('accuracy only when perplexity is off: records carry no perplexity', async () => {
    const logPath = newLog();
    const summary = await runScoringJob({ dataset, config: config(server, { perplexity: false }), logPath, run: 'r', examples: range(4) });
    assert.equal(summary.status, 'complete');
    for (const r of exampleRecords(logPath)) assert.deepEqual([r.perplexity, r.nll, r.tokens], [undefined, undefined, undefined]);
  });

  test('cancelled mid-run, then resumed: every key exactly once, nothing lost', async () => {
    const slow = await startReferenceServer({ examples, faults: { latencyMs: 10 } });
    try {
      const logPath = newLog();
      const controller = new AbortController();
      const indices = range(60);
      const first = await runScoringJob({
        dataset,
        config: config(slow),
        logPath,
        run: 'r',
        examples: indices,
        signal: controller.signal,
        onProgress: (p) => p.done >= 16 && controller.abort(),
      });
      assert.equal(first.status, 'cancelled');
      const written = exampleRecords(logPath).length;
      assert.ok(written >= 16 && written < 120, `${written} written before the cancel`);
      assert.equal(first.progress.done, written);
      const second = await runScoringJob({ dataset, config: config(slow), logPath, run: 'r', examples: indices });
      assert.equal(second.status, 'complete');
      assert.equal(second.progress.skipped, written);
      assert.equal(second.progress.done, 120 - written);
      assertEachOnce(logPath, ['ep1', 'ep3'], indices);
      assert.equal(lines(logPath).filter((r) => (r as { type: string }).type === 'checkpoint').length, 2, 'checkpoint records are not repeated');
    } finally {
      await slow.close();
    }
  });

  test('a second job on the same log and run is refused at once while the first runs; another run goes ahead', async () => {
    const slow = await startReferenceServer({ examples, faults: { latencyMs: 10 } });
    try {
      const logPath = newLog();
      const indices = range(30);
      const first = runScoringJob({ dataset, config: config(slow), logPath, run: 'r', examples: indices, http: fastHttp });
      const lock = scoringLockPath(logPath, 'r');
      for (const deadline = Date.now() + 10_000; !existsSync(lock); ) {
        assert.ok(Date.now() < deadline, 'the first job takes its lock');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await assert.rejects(runScoringJob({ dataset, config: config(slow), logPath, run: 'r', examples: indices, http: fastHttp }), (err: Error) => {
        assert.ok(err instanceof ScoringJobRunning);
        assert.match(err.message, new RegExp(`another scoring job is writing run 'r' to this log \\(process ${process.pid} on `));
        return true;
      });
      const other = await runScoringJob({ dataset, config: config(slow), logPath, run: 'other', examples: range(5), http: fastHttp });
      assert.equal(other.status, 'complete');
      assert.equal((await first).status, 'complete');
      assert.equal(existsSync(lock), false, 'the lock goes with its job');
      const again = await runScoringJob({ dataset, config: config(slow), logPath, run: 'r', examples: indices, http: fastHttp });
      assert.deepEqual([again.status, again.progress.done, again.progress.skipped], ['complete', 0, 60]);
      const perRun = (run: string) => exampleRecords(logPath).filter((r) => r.run === run).length;
      assert.deepEqual([perRun('r'), perRun('other')], [60, 10]);
    } finally {
      await slow.close();
    }
  });

  test('under a fault storm every key is scored exactly once, with the same results as a calm server', async () => {
    const storm = await startReferenceServer({
      examples,
      faults: { rate429: 0.06, retryAfter: 0, rate500: 0.06, rateDrop: 0.06, rateTruncate: 0.06, rateMalformed: 0.06, latencyMs: [0, 3], routes: ['/v1/completions', '/tokenize', '/v1/models'] },
    });
    try {
      const indices = range(80);
      const opts = { examples: indices, run: 'r', http: fastHttp };
      const stormLog = newLog();
      const stormy = await runScoringJob({ dataset, config: config(storm, { retries: 12 }), logPath: stormLog, ...opts });
      assert.equal(stormy.status, 'complete', stormy.error?.message);
      assert.ok(stormy.progress.retries > 10, `${stormy.progress.retries} retries`);
      for (const kind of ['429', '500', 'drop', 'truncate', 'malformed']) assert.ok((storm.stats.faults[kind] ?? 0) > 0, `no ${kind} injected`);
      assertEachOnce(stormLog, ['ep1', 'ep3'], indices);
      const calmLog = newLog();
      const calm = await runScoringJob({ dataset, config: config(server), logPath: calmLog, ...opts });
      assert.equal(calm.status, 'complete');
      const byKey = (file: string) => new Map(exampleRecords(file).map((r) => [`${r.checkpoint}/${r.key}`, r]));
      assert.deepEqual(byKey(stormLog), byKey(calmLog));
    } finally {
      await storm.close();
    }
  });

  test('a server failing for good fails the job cleanly; after it heals the job resumes', async () => {
    const flaky = await startReferenceServer({ examples });
    try {
      const logPath = newLog();
      const indices = range(40);
      const cfg = config(flaky, { retries: 2 });
      let failedOnce = false;
      const first = await runScoringJob({
        dataset,
        config: cfg,
        logPath,
        run: 'r',
        examples: indices,
        http: fastHttp,
        onProgress: (p) => {
          if (p.done >= 8 && !failedOnce) {
            failedOnce = true;
            flaky.setFaults({ rate500: 1 });
          }
        },
      });
      assert.equal(first.status, 'failed');
      assert.match(first.error!.message, /failed after 3 attempts: HTTP 500/);
      flaky.setFaults({});
      const second = await runScoringJob({ dataset, config: cfg, logPath, run: 'r', examples: indices, http: fastHttp });
      assert.equal(second.status, 'complete');
      assertEachOnce(logPath, ['ep1', 'ep3'], indices);
    } finally {
      await flaky.close();
    }
  });

  test('an example longer than the model context is refused alone and named; every other one is scored', async () => {
    const indices = range(24);
    const cfg = config(server);
    const lengths = await Promise.all(
      indices.map(async (i) => {
        const e = await dataset.get(i);
        const text = fillTemplate(cfg.promptTemplate, e.query, e.target) + fillTemplate(cfg.targetTemplate, e.query, e.target);
        return server.model.tokenizer.encode(text, true).length;
      }),
    );
    const limit = [...lengths].sort((a, b) => a - b)[20]; // vLLM refuses a prompt longer than --max-model-len
    const tooLong = indices.filter((i) => lengths[i] > limit);
    assert.ok(tooLong.length > 0 && tooLong.length < 5);
    const short = await startReferenceServer({ examples, maxModelLen: limit });
    try {
      const logPath = newLog();
      const notes: string[] = [];
      const summary = await runScoringJob({ dataset, config: config(short), logPath, run: 'r', examples: indices, http: fastHttp, onNote: (m) => notes.push(m) });
      assert.equal(summary.status, 'complete', summary.error?.message);
      const expected = ['ep1', 'ep3'].flatMap((c) => tooLong.map((i) => `${c}/${i}`));
      assert.deepEqual(summary.refused.map((r) => `${r.checkpoint}/${r.index}`).sort(), expected.sort());
      for (const r of summary.refused) {
        assert.equal(r.key, dataset.keys[r.index]);
        assert.match(r.reason, new RegExp(`HTTP 400: This model's maximum context length is ${limit} tokens`));
      }
      assert.equal(notes.filter((n) => n.includes('refused by the server')).length, expected.length);
      assertEachOnce(logPath, ['ep1', 'ep3'], indices.filter((i) => !tooLong.includes(i)));
    } finally {
      await short.close();
    }
  });

  test('requests spread over replicas, and a dead replica only costs retries', async () => {
    const other = await startReferenceServer({ examples });
    try {
      const logPath = newLog();
      const before = [server.stats.requests, other.stats.requests];
      const summary = await runScoringJob({ dataset, config: parseScoringConfig({ endpoints: [server.url, other.url], checkpoints: ['ep2'], k: 2, maxTokens: 40, batchSize: 2 }, 'gsm8k'), logPath, run: 'r', examples: range(40), http: fastHttp });
      assert.equal(summary.status, 'complete');
      const served = [server.stats.requests - before[0], other.stats.requests - before[1]];
      assert.ok(served[0] > 20 && served[1] > 20, `requests per replica: ${served}`);
      // A replica that does not answer is left out, with a note; the others do the work.
      const notes: string[] = [];
      const deadCfg = parseScoringConfig({ endpoints: [server.url, 'http://127.0.0.1:9'], checkpoints: ['ep2'], k: 2, maxTokens: 40, retries: 1 }, 'gsm8k');
      const deadLog = newLog();
      const partly = await runScoringJob({ dataset, config: deadCfg, logPath: deadLog, run: 'r', examples: range(4), http: fastHttp, onNote: (n) => notes.push(n) });
      assert.equal(partly.status, 'complete');
      assertEachOnce(deadLog, ['ep2'], range(4));
      assert.ok(notes.some((n) => /127\.0\.0\.1:9 does not answer and is left out of this job: .*connection refused/.test(n)), notes.join('\n'));
      const allDead = parseScoringConfig({ endpoints: ['http://127.0.0.1:9'], checkpoints: ['ep2'], retries: 0 }, 'gsm8k');
      await assert.rejects(runScoringJob({ dataset, config: allDead, logPath: newLog(), run: 'r', examples: range(4), http: fastHttp }), /checkpoint 'ep2': no replica answers: .*connection refused/);
    } finally {
      await other.close();
    }
  });

  test('a replica that does not answer the first probe is left out at once, without retries; long retries are for replicas that worked', async () => {
    // A port that accepts connections and never answers, and one where nothing listens.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const notes: string[] = [];
      const cfg = parseScoringConfig({ endpoints: [server.url, 'http://127.0.0.1:9', silentUrl], checkpoints: ['ep2'], k: 2, maxTokens: 40, retries: 6, timeoutMs: 300 }, 'gsm8k');
      const logPath = newLog();
      const summary = await runScoringJob({ dataset, config: cfg, logPath, run: 'r', examples: range(4), http: fastHttp, onNote: (n) => notes.push(n) });
      assert.equal(summary.status, 'complete');
      assertEachOnce(logPath, ['ep2'], range(4));
      assert.deepEqual(notes.filter((n) => n.startsWith('retrying')), []);
      assert.ok(notes.some((n) => /127\.0\.0\.1:9 does not answer and is left out of this job: .*connection refused/.test(n)), notes.join('\n'));
      assert.ok(notes.some((n) => n.includes(`${silentUrl} does not answer and is left out of this job: `) && /no answer within 300 ms/.test(n)), notes.join('\n'));
      const retried: string[] = [];
      const nobody = parseScoringConfig({ endpoints: ['http://127.0.0.1:9'], checkpoints: ['ep2'], retries: 6 }, 'gsm8k');
      await assert.rejects(
        runScoringJob({ dataset, config: nobody, logPath: newLog(), run: 'r', examples: range(4), http: fastHttp, onNote: (n) => retried.push(n) }),
        (err: unknown) => err instanceof ScoringRefused && /^checkpoint 'ep2': no replica answers: .*connection refused/.test(err.message),
      );
      assert.deepEqual(retried, []);
    } finally {
      silent.close();
    }
  });
});

describe('a replica that dies mid-job', () => {
  const twoReplicas = (a: ReferenceServer, b: string) =>
    parseScoringConfig({ endpoints: [a.url, b], checkpoints: ['ep1', 'ep3'], k: 2, maxTokens: 40, concurrency: 8, batchSize: 4, retries: 8 }, 'gsm8k');

  test('gets a bounded number of requests once it stops answering, and the job completes', async () => {
    const good = await startReferenceServer({ examples, faults: { latencyMs: 2 } });
    const doomed = await startReferenceServer({ examples, faults: { latencyMs: 2 } });
    try {
      const logPath = newLog();
      const indices = range(150);
      const notes: string[] = [];
      let closed: Promise<void> | undefined;
      const summary = await runScoringJob({
        dataset,
        config: twoReplicas(good, doomed.url),
        logPath,
        run: 'r',
        examples: indices,
        http: fastHttp,
        onNote: (n) => notes.push(n),
        onProgress: (p) => {
          if (p.done >= 20 && !closed) closed = doomed.close();
        },
      });
      await closed;
      assert.equal(summary.status, 'complete', summary.error?.message);
      assertEachOnce(logPath, ['ep1', 'ep3'], indices);
      const toDead = notes.filter((n) => n.startsWith(`retrying ${doomed.url}/`)).length;
      // Those in flight when it died, and the few that found it down before it was marked down.
      assert.ok(toDead <= 16, `${toDead} retries of requests sent to the dead replica`);
      assert.ok(notes.some((n) => n.startsWith(`${doomed.url} stopped answering`)), notes.slice(-5).join('\n'));
      assert.equal(summary.progress.retries, notes.filter((n) => n.startsWith('retrying ')).length);
    } finally {
      await good.close();
    }
  });

  test('gets work again when it answers again', async () => {
    const good = await startReferenceServer({ examples, faults: { latencyMs: 10 } });
    let doomed = await startReferenceServer({ examples, faults: { latencyMs: 10 } });
    const port = Number(new URL(doomed.url).port);
    let revived: ReferenceServer | undefined;
    try {
      const notes: string[] = [];
      let step: Promise<void> | undefined;
      const summary = await runScoringJob({
        dataset,
        config: twoReplicas(good, doomed.url),
        logPath: newLog(),
        run: 'r',
        examples: range(200),
        http: fastHttp,
        replicas: { probeBaseMs: 20, probeCapMs: 50 },
        onNote: (n) => {
          notes.push(n);
          if (n.startsWith(`${doomed.url} stopped answering`) && !revived) {
            step = startReferenceServer({ examples, port }).then((s) => void (revived = s));
          }
        },
        onProgress: (p) => {
          if (p.done >= 20 && !step) step = doomed.close();
        },
      });
      assert.equal(summary.status, 'complete', summary.error?.message);
      assert.ok(revived, 'the replica was marked down and started again');
      assert.ok(notes.some((n) => n.startsWith(`${doomed.url} answers again`)), notes.slice(-5).join('\n'));
      assert.ok((revived.stats.byRoute['/v1/completions'] ?? 0) > 0, JSON.stringify(revived.stats.byRoute));
    } finally {
      await good.close();
      await revived?.close();
    }
  });
});

describe('probing the servers', () => {
  test('an endpoint without prompt log-probs is refused, saying what it lacks', async () => {
    const llama = await startReferenceServer({ examples, faults: { llamaCpp: true } });
    try {
      const err = await job(llama, { examples: range(2) }).catch((e: Error) => e);
      assert.ok(err instanceof ScoringRefused);
      assert.match(err.message, /this server ignores echo and has no prompt_logprobs: llama\.cpp-style; accuracy only/);
      assert.match(err.message, /scoring\.perplexity to false/);
      const accuracyOnly = await job(llama, { examples: range(2), extra: { perplexity: false } });
      assert.equal(accuracyOnly.status, 'complete');
    } finally {
      await llama.close();
    }
  });

  test('a server that refuses log-probs with a message of its own is quoted, not guessed at', async () => {
    const strict = await startReferenceServer({ examples, faults: { refuseLogprobs: 'logprobs are disabled on this deployment' } });
    try {
      const err = await job(strict, { examples: range(2) }).catch((e: Error) => e);
      assert.ok(err instanceof ScoringRefused);
      assert.match(err.message, /HTTP 400: logprobs are disabled on this deployment/);
      assert.doesNotMatch(err.message, /llama\.cpp/);
    } finally {
      await strict.close();
    }
  });

  test('a sampling request the server refuses stops the job before it starts', async () => {
    // A context of 3 tokens refuses every prompt: the request itself is wrong, not one example.
    const tiny = await startReferenceServer({ examples, maxModelLen: 3 });
    try {
      const logPath = newLog();
      const err = await runScoringJob({ dataset, config: config(tiny, { perplexity: false }), logPath, run: 'r', examples: range(8), http: fastHttp }).catch((e: Error) => e);
      assert.ok(err instanceof ScoringRefused, String(err));
      assert.match(err.message, /a sampling request for 'ep1' failed: .*HTTP 400: This model's maximum context length is 3 tokens/);
      assert.equal(existsSync(logPath), false);
    } finally {
      await tiny.close();
    }
  });

  test('a server with echo but no prompt_logprobs is told to switch logprobsMode', async () => {
    const echoOnly = await startReferenceServer({ examples, faults: { noPromptLogprobs: true } });
    try {
      await assert.rejects(job(echoOnly, { examples: range(2) }), /no "prompt_logprobs".*set scoring\.logprobsMode to "echo"/);
      const viaEcho = await job(echoOnly, { examples: range(2), extra: { logprobsMode: 'echo' } });
      assert.equal(viaEcho.status, 'complete');
    } finally {
      await echoOnly.close();
    }
  });

  test('a wrong number of log-probs is refused with both counts', async () => {
    const wrong = await startReferenceServer({ examples, faults: { rateWrongCount: 1 } });
    try {
      await assert.rejects(job(wrong, { examples: range(2) }), /returned (\d+) prompt log-probs for (\d+) prompt tokens; expected exactly one per token/);
    } finally {
      await wrong.close();
    }
  });

  test('a model the server does not serve is refused with the names it does serve; loraPath loads it', async () => {
    const s = await startReferenceServer({ examples, models: ['base', 'ep1'] });
    try {
      const cfg = (ckpt: Record<string, unknown>) => parseScoringConfig({ endpoints: [s.url], checkpoints: [ckpt], k: 2, maxTokens: 30 }, 'gsm8k');
      await assert.rejects(
        runScoringJob({ dataset, config: cfg({ id: 'ep2' }), logPath: newLog(), run: 'r', examples: range(2) }),
        /checkpoint 'ep2': model 'ep2' is not served by http:\/\/127\.0\.0\.1:\d+; it serves: base, ep1\. Set scoring\.checkpoints\[0\]\.model/,
      );
      const logPath = newLog();
      const summary = await runScoringJob({ dataset, config: cfg({ id: 'ep2', loraPath: '/ckpt/ep2' }), logPath, run: 'r', examples: range(2) });
      assert.equal(summary.status, 'complete');
      assert.equal(s.stats.byRoute['/v1/load_lora_adapter'], 1);
      assert.equal(exampleRecords(logPath).length, 2);
    } finally {
      await s.close();
    }
  });

  test('the openai flavour samples but cannot give perplexity', async () => {
    const s = await startReferenceServer({ examples });
    try {
      await assert.rejects(job(s, { examples: range(2), extra: { flavour: 'openai' } }), /the "openai" flavour cannot compute target perplexity/);
      const logPath = newLog();
      const ok = await runScoringJob({ dataset, config: config(s, { flavour: 'openai', perplexity: false }), logPath, run: 'r', examples: range(3) });
      assert.equal(ok.status, 'complete');
      assertEachOnce(logPath, ['ep1', 'ep3'], range(3));
    } finally {
      await s.close();
    }
  });

  test('the sglang flavour scores through /generate', async () => {
    const s = await startReferenceServer({ examples });
    try {
      const logPath = newLog();
      const summary = await runScoringJob({ dataset, config: config(s, { flavour: 'sglang' }), logPath, run: 'r', examples: range(6) });
      assert.equal(summary.status, 'complete');
      assert.ok(s.stats.byRoute['/generate'] > 0 && !s.stats.byRoute['/v1/completions']);
      assertEachOnce(logPath, ['ep1', 'ep3'], range(6));
      for (const r of exampleRecords(logPath)) assert.ok(r.perplexity! > 1 && new Set(r.samples).size >= 1);
    } finally {
      await s.close();
    }
  });

  test('the API key authenticates and appears in no record, note or error', async () => {
    const key = 'sk-premem-test-5f2c9a1e7d';
    const s = await startReferenceServer({ examples, apiKey: key, faults: { rate500: 0.1, rate429: 0.1, retryAfter: 0 } });
    try {
      const notes: string[] = [];
      const logPath = newLog();
      const ok = await runScoringJob({ dataset, config: config(s, { perturbations: true, retries: 10 }), logPath, run: 'r', examples: range(10), apiKey: key, http: fastHttp, onNote: (n) => notes.push(n) });
      assert.equal(ok.status, 'complete');
      assert.ok(notes.length > 0, 'retries were reported');
      const refused = await job(s, { examples: range(1), apiKey: 'sk-wrong-key-123456' }).catch((e: Error) => e);
      assert.ok(refused instanceof ScoringRefused && /HTTP 401: Unauthorized/.test(refused.message), String(refused));
      const everything = [readFileSync(logPath, 'utf8'), ...notes, refused.message, String(refused.stack)].join('\n');
      assert.ok(!everything.includes(key) && !everything.includes('sk-wrong-key-123456'));
    } finally {
      await s.close();
    }
  });
});

test('a job cancelled while probing returns "cancelled" and writes nothing', async () => {
  const slow = await startReferenceServer({ examples, faults: { latencyMs: 300, routes: ['/v1/models'] } });
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const logPath = newLog();
    const summary = await runScoringJob({ dataset, config: config(slow), logPath, run: 'r', examples: range(4), signal: controller.signal });
    assert.equal(summary.status, 'cancelled');
    assert.throws(() => readFileSync(logPath), /ENOENT/);
  } finally {
    await slow.close();
  }
});
