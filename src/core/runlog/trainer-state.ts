// Hugging Face Trainer's trainer_state.json: its log_history (loss, eval_loss, learning rate per logged step)
// is shown next to a run's checkpoints.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, type TrainerLogEntry } from '../model';

export const TRAINER_STATE_FILE = 'trainer_state.json';

/**
 * Python's json module writes NaN, Infinity and -Infinity (a diverged loss) as bare words that JSON.parse
 * rejects; they become null here, outside strings only, and read back as NaN.
 */
export function pythonJsonToJson(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    const word = text.startsWith('NaN', i) ? 3 : text.startsWith('Infinity', i) ? 8 : text.startsWith('-Infinity', i) ? 9 : 0;
    if (word) {
      out += text.slice(last, i) + 'null';
      i += word - 1;
      last = i + 1;
    }
  }
  return out + text.slice(last);
}

function optionalNumber(entry: Record<string, unknown>, name: string, file: string, field: string): number | undefined {
  const v = entry[name];
  if (v === undefined) return undefined;
  if (v === null) return NaN;
  if (typeof v !== 'number') throw new InputError(file, `expected a number, found ${JSON.stringify(v)}`, undefined, `${field}.${name}`);
  return v;
}

/** Parses trainer_state.json text; file names the source in errors. */
export function parseTrainerState(text: string, file: string): TrainerLogEntry[] {
  let state: unknown;
  try {
    state = JSON.parse(pythonJsonToJson(text));
  } catch (err) {
    throw new InputError(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw new InputError(file, 'expected a JSON object (a Hugging Face trainer state)');
  const history = (state as Record<string, unknown>).log_history;
  if (history === undefined) throw new InputError(file, "missing field 'log_history'; is this a Hugging Face trainer_state.json?", undefined, 'log_history');
  if (!Array.isArray(history)) throw new InputError(file, 'expected an array', undefined, 'log_history');
  const entries: TrainerLogEntry[] = [];
  history.forEach((raw, i) => {
    const field = `log_history[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(file, 'expected an object', undefined, field);
    const e = raw as Record<string, unknown>;
    const step = e.step;
    if (step === undefined) throw new InputError(file, "missing field 'step'", undefined, `${field}.step`);
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new InputError(file, `expected an integer step >= 0, found ${JSON.stringify(step)}`, undefined, `${field}.step`);
    }
    const entry: TrainerLogEntry = { step };
    const epoch = optionalNumber(e, 'epoch', file, field);
    const loss = optionalNumber(e, 'loss', file, field);
    const evalLoss = optionalNumber(e, 'eval_loss', file, field);
    const learningRate = optionalNumber(e, 'learning_rate', file, field);
    // The closing summary entry (train_loss, train_runtime, …) has none of these and is left out.
    if (loss === undefined && evalLoss === undefined && learningRate === undefined) return;
    if (epoch !== undefined) entry.epoch = epoch;
    if (loss !== undefined) entry.loss = loss;
    if (evalLoss !== undefined) entry.evalLoss = evalLoss;
    if (learningRate !== undefined) entry.learningRate = learningRate;
    entries.push(entry);
  });
  return entries.sort((a, b) => a.step - b.step);
}

/** Reads a trainer_state.json; an InputError names the file and the field when it is not one. */
export async function readTrainerState(file: string): Promise<TrainerLogEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, `cannot read: ${(err as Error).message}`);
  }
  return parseTrainerState(text, file);
}

const CHECKPOINT_DIR = /^checkpoint-(\d+)$/;

/**
 * The trainer_state.json that describes a run folder or a checkpoint folder: the folder's own, else the one in
 * its latest checkpoint-<step> sub-folder (each checkpoint saves the whole history up to its step).
 */
export async function findTrainerState(dir: string): Promise<string | undefined> {
  const own = path.join(dir, TRAINER_STATE_FILE);
  if (await isFile(own)) return own;
  const names = await readdir(dir).catch(() => [] as string[]);
  const checkpoints = names
    .map((name) => ({ name, step: Number(CHECKPOINT_DIR.exec(name)?.[1] ?? NaN) }))
    .filter((c) => Number.isFinite(c.step))
    .sort((a, b) => b.step - a.step);
  for (const c of checkpoints) {
    const p = path.join(dir, c.name, TRAINER_STATE_FILE);
    if (await isFile(p)) return p;
  }
  return undefined;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}
