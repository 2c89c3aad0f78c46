// Locates the real data in ../shared/data (GSM8K and the paper's runs) beside the checkout.
// Tests that need it skip, saying so, when it is absent; committed fixtures keep the core tested anyway.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const sharedDataRoot = process.env.PREMEM_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');

/** Absolute path of a file or folder under ../shared/data, or undefined when it is not there. */
export function sharedData(...parts: string[]): string | undefined {
  const p = path.join(sharedDataRoot, ...parts);
  return existsSync(p) ? p : undefined;
}

/** The skip reason for node:test when shared data is missing. */
export function skipWithoutShared(...parts: string[]): string | false {
  return sharedData(...parts) ? false : `skipped: ${path.join('../shared/data', ...parts)} is not present`;
}

export const fixtures = path.join(repoRoot, 'test/fixtures');
