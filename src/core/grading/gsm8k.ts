// GSM8K answers: numbers. The paper's released code takes the text after "#### " with commas removed;
// samples that lack it fall back to "The answer is N", then to the last number in the text.
// Everything here scans character codes once, left to right, so a 1 MB sample costs one pass.
import type { Grader } from './grader';

const DOT = 0x2e;
const COMMA = 0x2c;
const DOLLAR = 0x24;
const MINUS = 0x2d;
const PLUS = 0x2b;
const UNICODE_MINUS = 0x2212;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const STAR = 0x2a;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlphanumeric(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigitAt(text: string, i: number): boolean {
  return i < text.length && isDigit(text.charCodeAt(i));
}

/**
 * End (exclusive) of the unsigned number that starts at `start` with a digit, or with '.' and a digit:
 * digits with commas between them ("1,000"), then an optional '.' and digits.
 */
function scanUnsigned(text: string, start: number): number {
  const n = text.length;
  let j = start;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (isDigit(c)) j++;
    else if (c === COMMA && j > start && isDigitAt(text, j + 1)) j++;
    else break;
  }
  if (j < n && text.charCodeAt(j) === DOT && isDigitAt(text, j + 1)) {
    j += 2;
    while (isDigitAt(text, j)) j++;
  }
  return j;
}

/**
 * The canonical form of a scanned number: commas gone, no leading zeros, no trailing fractional zeros,
 * no "-0". Equal values give equal strings, so "5.50", "5.5" and "05.5" all read "5.5".
 */
function canonicalNumber(text: string, start: number, end: number, negative: boolean): string {
  let dot = start;
  while (dot < end && text.charCodeAt(dot) !== DOT) dot++;
  let integer = text.slice(start, dot);
  if (integer.includes(',')) integer = integer.replaceAll(',', '');
  let firstNonZero = 0;
  while (firstNonZero < integer.length - 1 && integer.charCodeAt(firstNonZero) === 0x30) firstNonZero++;
  if (firstNonZero > 0) integer = integer.slice(firstNonZero);
  if (integer === '') integer = '0';
  let fractionEnd = end;
  while (fractionEnd > dot + 1 && text.charCodeAt(fractionEnd - 1) === 0x30) fractionEnd--;
  const fraction = fractionEnd > dot + 1 ? text.slice(dot + 1, fractionEnd) : '';
  const magnitude = fraction ? `${integer}.${fraction}` : integer;
  return negative && magnitude !== '0' ? `-${magnitude}` : magnitude;
}

function isSign(c: number): boolean {
  return c === MINUS || c === PLUS || c === UNICODE_MINUS;
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/**
 * The number written right at `i` (after blanks, ':' and markdown '*'), with an optional sign and '$'
 * in either order ("-$5", "$-5"); null when something else comes first.
 */
export function numberAt(text: string, i: number): string | null {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== COLON && c !== STAR) break;
    i++;
  }
  // A sign, then '$', then a sign if none came before: "-$5" and "$-5" alike.
  let negative = false;
  let signed = false;
  if (i < n && isSign(text.charCodeAt(i))) {
    negative = text.charCodeAt(i) !== PLUS;
    signed = true;
    i++;
  }
  if (i < n && text.charCodeAt(i) === DOLLAR) {
    i = skipBlanks(text, i + 1);
    if (!signed && i < n && isSign(text.charCodeAt(i))) {
      negative = text.charCodeAt(i) !== PLUS;
      i++;
    }
  }
  const startsNumber = isDigitAt(text, i) || (i < n && text.charCodeAt(i) === DOT && isDigitAt(text, i + 1));
  if (!startsNumber) return null;
  return canonicalNumber(text, i, scanUnsigned(text, i), negative);
}

/** The last number in the text; a '-' before it is a sign only when it does not follow a word or number. */
export function lastNumber(text: string): string | null {
  const n = text.length;
  let lastStart = -1;
  let lastEnd = -1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c) || (c === DOT && isDigitAt(text, i + 1) && !(i > 0 && isDigit(text.charCodeAt(i - 1))))) {
      lastStart = i;
      lastEnd = scanUnsigned(text, i);
      i = lastEnd;
    } else {
      i++;
    }
  }
  if (lastStart < 0) return null;
  let k = lastStart - 1;
  if (k >= 0 && text.charCodeAt(k) === DOLLAR) k--;
  const c = k >= 0 ? text.charCodeAt(k) : 0;
  const negative = (c === MINUS || c === UNICODE_MINUS) && !(k > 0 && isAlphanumeric(text.charCodeAt(k - 1)));
  return canonicalNumber(text, lastStart, lastEnd, negative);
}

const ANSWER_IS = /answer is/gi;

/** The number after the first "answer is" (any case, so "The final answer is" too) that has one. */
function statedAnswer(text: string): string | null {
  ANSWER_IS.lastIndex = 0;
  for (let m = ANSWER_IS.exec(text); m; m = ANSWER_IS.exec(text)) {
    const answer = numberAt(text, ANSWER_IS.lastIndex);
    if (answer !== null) return answer;
  }
  return null;
}

/**
 * The normalised final answer of a GSM8K text: the number after the first "####" that has one, else after
 * "answer is", else the last number; null when the text holds no number at all.
 * The first "####" counts because a sample that runs on past its answer only adds noise after it.
 */
export function extractGsm8kAnswer(text: string): string | null {
  for (let at = text.indexOf('####'); at >= 0; at = text.indexOf('####', at + 4)) {
    const answer = numberAt(text, at + 4);
    if (answer !== null) return answer;
  }
  return statedAnswer(text) ?? lastNumber(text);
}

export const gsm8kGrader: Grader = {
  extract: extractGsm8kAnswer,
  extractTarget: extractGsm8kAnswer,
  // An answer field ("72", "1,000", "$18") reads as a text that holds just that number.
  normalise: extractGsm8kAnswer,
  // Canonical numbers are equal exactly when their values are.
  equivalent: (answer, targetAnswer) => answer === targetAnswer,
};
