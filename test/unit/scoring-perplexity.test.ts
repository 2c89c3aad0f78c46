import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SglangBackend } from '../../src/core/scoring/endpoint-sglang';
import { VllmBackend } from '../../src/core/scoring/endpoint-vllm';
import { JsonClient } from '../../src/core/scoring/json-client';
import { echoPromptLogprobs, ProtocolError, scoreRange, scoreSplit, splitTokens, vllmPromptLogprobs } from '../../src/core/scoring/perplexity';
import { Limiter } from '../../src/core/scoring/limiter';
import { ReplicaPool } from '../../src/core/scoring/pool';
import { readExamples, startReferenceServer, type ReferenceServer } from '../support/reference-server';
import { fixtures } from '../support/shared';

const examples = readExamples(path.join(fixtures, 'datasets/gsm8k-train-head.jsonl'));

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return res.json();
}

/** The log-probs the server returns for ids, straight from its JSON, in the given mode. */
async function rawLogprobs(url: string, model: string, ids: number[], mode: 'echo' | 'prompt_logprobs'): Promise<(number | null)[]> {
  const extra = mode === 'echo' ? { echo: true, logprobs: 0 } : { prompt_logprobs: 0 };
  const r = await post(`${url}/v1/completions`, { model, prompt: [ids], max_tokens: 1, temperature: 0, ...extra });
  if (mode === 'echo') return r.choices[0].logprobs.token_logprobs.slice(0, ids.length);
  return r.choices[0].prompt_logprobs.map((e: Record<string, { logprob: number }> | null, i: number) => (e === null ? null : e[String(ids[i])].logprob));
}

function meanExp(values: number[]) {
  const nll = -values.reduce((a, b) => a + b, 0) / values.length;
  return { nll, perplexity: Math.exp(nll), tokens: values.length };
}

describe('target perplexity against the reference server', () => {
  let server: ReferenceServer;
  let client: JsonClient;
  let pool: ReplicaPool;

  before(async () => {
    server = await startReferenceServer({ examples });
    client = new JsonClient({ timeoutMs: 10_000, retries: 0 });
    pool = new ReplicaPool(client, new Limiter(8));
  });
  after(async () => {
    client.close();
    await server.close();
  });

  const pairs = examples.slice(0, 6).map((e) => ({ x: `${e.query}\nAnswer:`, y: ` ${e.target}\nDone.` }));

  for (const mode of ['prompt_logprobs', 'echo'] as const) {
    test(`${mode}: exp(-mean) of exactly the target tokens' log-probs the server returned`, async () => {
      const backend = new VllmBackend(pool, mode);
      for (const model of ['ep1', 'ep3']) {
        const scores = await backend.scoreTargets([server.url], { name: model, adapter: false, tokenizer: 'reference' }, pairs);
        for (const [i, pair] of pairs.entries()) {
          const x = (await post(`${server.url}/tokenize`, { model, prompt: pair.x, add_special_tokens: true })).tokens as number[];
          const xy = (await post(`${server.url}/tokenize`, { model, prompt: pair.x + pair.y, add_special_tokens: true })).tokens as number[];
          assert.deepEqual(xy.slice(0, x.length), x, 'the default templates split cleanly');
          const lps = await rawLogprobs(server.url, model, xy, mode);
          const expected = meanExp(lps.slice(x.length) as number[]);
          assert.equal(scores[i].tokens, xy.length - x.length);
          assert.equal(scores[i].nll, expected.nll);
          assert.equal(scores[i].perplexity, expected.perplexity);
        }
      }
    });
  }

  test('later checkpoints give the targets lower perplexity (the fixture memorizes)', async () => {
    const backend = new VllmBackend(pool, 'prompt_logprobs');
    const mean = async (model: string) => {
      const s = await backend.scoreTargets([server.url], { name: model, adapter: false, tokenizer: 'reference' }, pairs);
      return s.reduce((a, b) => a + b.perplexity, 0) / s.length;
    };
    const [base, ep1, ep3] = [await mean('base'), await mean('ep1'), await mean('ep3')];
    assert.ok(base > ep1 && ep1 > ep3 && ep3 < 1.1055, `${base} > ${ep1} > ${ep3}`);
  });

  for (const mode of ['prompt_logprobs', 'echo'] as const) {
    test(`${mode}: trailing whitespace of the query moves onto the target when the ids do not split`, async () => {
      const backend = new VllmBackend(pool, mode);
      const e = examples[3];
      const x = `${e.query}\nAnswer: `;
      const y = `${e.target}\nDone.`;
      const xIds = (await post(`${server.url}/tokenize`, { model: 'ep2', prompt: x })).tokens as number[];
      const xyIds = (await post(`${server.url}/tokenize`, { model: 'ep2', prompt: x + y })).tokens as number[];
      assert.notDeepEqual(xyIds.slice(0, xIds.length), xIds, 'precondition: the trailing space glues to the next word');
      const trimmedIds = (await post(`${server.url}/tokenize`, { model: 'ep2', prompt: x.trimEnd() })).tokens as number[];
      assert.deepEqual(xyIds.slice(0, trimmedIds.length), trimmedIds);
      const lps = await rawLogprobs(server.url, 'ep2', xyIds, mode);
      const expected = meanExp(lps.slice(trimmedIds.length) as number[]);
      const [score] = await backend.scoreTargets([server.url], { name: 'ep2', adapter: false, tokenizer: 'reference' }, [{ x, y }]);
      assert.equal(score.tokens, xyIds.length - trimmedIds.length);
      assert.equal(score.perplexity, expected.perplexity);
    });
  }

  test('SGLang: /generate with input log-probs gives the same scores, split included', async () => {
    const vllm = await new VllmBackend(pool, 'prompt_logprobs').scoreTargets([server.url], { name: 'ep2', adapter: false, tokenizer: 'reference' }, pairs);
    const sglang = await new SglangBackend(pool).scoreTargets([server.url], { name: 'ep2', adapter: true, tokenizer: 'reference' }, pairs);
    assert.deepEqual(sglang, vllm);
    const moved = { x: `${examples[3].query}\nAnswer: `, y: `${examples[3].target}\nDone.` };
    const [v] = await new VllmBackend(pool, 'echo').scoreTargets([server.url], { name: 'ep2', adapter: false, tokenizer: 'reference' }, [moved]);
    const [s] = await new SglangBackend(pool).scoreTargets([server.url], { name: 'ep2', adapter: true, tokenizer: 'reference' }, [moved]);
    assert.deepEqual(s, v);
  });
});

describe('perplexity arithmetic and answer shapes', () => {
  test('scoreRange averages exactly [start, end)', () => {
    const s = scoreRange([null, -5, -0.5, -1.5, -100], 2, 4);
    assert.equal(s.tokens, 2);
    assert.equal(s.nll, 1);
    assert.equal(s.perplexity, Math.E);
    assert.throws(() => scoreRange([null, -1], 0, 2), ProtocolError);
    assert.throws(() => scoreRange([null, -1, null], 1, 3), /position 2 is null/);
  });

  test('echo: the first entry is null and the generated token is dropped', () => {
    const choice = { logprobs: { token_logprobs: [null, -1, -2, -3, -0.25] } };
    assert.deepEqual(echoPromptLogprobs(choice, 4), [null, -1, -2, -3]);
    assert.throws(() => echoPromptLogprobs({ logprobs: { token_logprobs: [-0.25] } }, 4), /ignores "echo"/);
    assert.throws(() => echoPromptLogprobs({ logprobs: { token_logprobs: [null, -1, -0.25] } }, 4), /3 log-probs for 4 prompt tokens/);
  });

  test('prompt_logprobs: one entry per prompt token, read at the prompt token itself', () => {
    const ids = [1, 7, 9];
    const choice = { prompt_logprobs: [null, { '7': { logprob: -0.5 }, '8': { logprob: -0.1 } }, { '9': { logprob: -2 } }] };
    assert.deepEqual(vllmPromptLogprobs(choice, ids), [null, -0.5, -2]);
    assert.throws(() => vllmPromptLogprobs({ prompt_logprobs: [null, { '7': { logprob: -0.5 } }] }, ids), /2 prompt log-probs for 3 prompt tokens/);
    assert.throws(() => vllmPromptLogprobs({}, ids), /no "prompt_logprobs"/);
    assert.throws(() => scoreSplit({ ids, queryTokens: 1 }, [null, -1]), /2 prompt log-probs for 3 prompt tokens/);
  });

  test('splitTokens retries with whitespace moved, and gives up when nothing prefixes', async () => {
    // A tokenizer that glues a space to the following character.
    const tok = async (t: string) => Array.from(t.matchAll(/ ?[^ ]| $/g), (m) => (m[0] === ' ' ? 0 : m[0].length * 1000 + m[0].charCodeAt(m[0].length - 1)));
    const split = await splitTokens('ab ', 'c', tok);
    assert.deepEqual(split, { ids: await tok('ab c'), queryTokens: 2 });
    const never = async (t: string) => [t.length];
    assert.equal(await splitTokens('ab ', 'c', never), undefined);
  });
});
