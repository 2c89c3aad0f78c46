// Writes test/vectors/keys-and-grades.json: expected keys and grades computed by the TypeScript engine, which
// the TypeScript suite (test/unit/shared-vectors.test.ts) and the Python suite (python/tests/test_vectors.py)
// both check against. Run: node --import tsx scripts/make-test-vectors.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { vectorInputs, computeVectors } from '../test/vectors/compute';

const out = path.join(import.meta.dirname, '..', 'test', 'vectors', 'keys-and-grades.json');
const vectors = computeVectors(vectorInputs(path.join(import.meta.dirname, '..')));
fs.writeFileSync(out, JSON.stringify(vectors, null, 1) + '\n');
console.log(`wrote ${out}: ${vectors.datasets.length} datasets, ${vectors.grades.length} grades`);
