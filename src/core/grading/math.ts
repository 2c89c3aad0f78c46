// MATH answers: the content of the last \boxed{...} (or \fbox{...}), normalised by the standard MATH
// string normalisation (math-answer-normalise.ts), compared as strings, plus one addition: exact equality of plain
// rational numbers (see sameRational).
import type { Grader } from './grader';
import { stripString } from './math-answer-normalise';

const BOXED = '\\boxed';
const FBOX = '\\fbox';

/** Index of the '}' closing the '{' at `open`, counting every brace as the reference does; -1 when unclosed. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i;
  }
  return -1;
}

/**
 * The raw content of the last \boxed (the last \fbox when there is no \boxed, as in the reference):
 * "\boxed{...}" with braces matched, or "\boxed 5" running to the next '$' or line end (the reference
 * runs to '$' only; a model's next line is not part of its answer). Null when there is none or it is unclosed.
 */
export function lastBoxedContent(text: string): string | null {
  let at = text.lastIndexOf(BOXED);
  let after = at + BOXED.length;
  if (at < 0) {
    at = text.lastIndexOf(FBOX);
    if (at < 0) return null;
    after = at + FBOX.length;
  }
  let i = after;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i < text.length && text[i] === '{') {
    const close = closingBrace(text, i);
    return close < 0 ? null : text.slice(i + 1, close);
  }
  if (i === after) return null; // "\boxedfoo": another command, not a box
  let end = i;
  while (end < text.length && text[end] !== '$' && text[end] !== '\n') end++;
  return text.slice(i, end).trim();
}

/**
 * The normalised final answer of a MATH text: the last box's content through the standard normalisation.
 * Null when there is no box, or the box is empty: an empty box states no answer.
 */
export function extractMathAnswer(text: string): string | null {
  const content = lastBoxedContent(text);
  if (content === null) return null;
  const answer = stripString(content);
  return answer === '' ? null : answer;
}

// A plain rational number after normalisation: "-3", "2.50", "10,000", "\frac{1}{4}", "-\frac{3}{2}".
// (0.5 and 1/2 already read "\frac{1}{2}" after normalisation; other decimals and fractions do not.)
const DECIMAL = /^(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;
const FRACTION = /^(-?)\\frac\{(-?\d+)\}\{(-?\d+)\}$/;
/** Longer numbers are left to string comparison, keeping BigInt work bounded on untrusted text. */
const MAX_RATIONAL_CHARS = 64;

type Rational = { numerator: bigint; denominator: bigint };

function parseRational(s: string): Rational | null {
  if (s.length > MAX_RATIONAL_CHARS) return null;
  const decimal = DECIMAL.exec(s);
  if (decimal) {
    const [, sign, integer, fraction = ''] = decimal;
    const numerator = BigInt(integer.replaceAll(',', '') + fraction);
    return { numerator: sign ? -numerator : numerator, denominator: 10n ** BigInt(fraction.length) };
  }
  const fraction = FRACTION.exec(s);
  if (fraction) {
    const [, sign, top, bottom] = fraction;
    const denominator = BigInt(bottom);
    if (denominator === 0n) return null;
    const numerator = BigInt(top);
    return { numerator: sign ? -numerator : numerator, denominator };
  }
  return null;
}

/**
 * Whether two normalised answers are the same plain rational number, exactly (cross-multiplied BigInts):
 * "0.25" = "\frac{1}{4}" = "1/4", "2.0" = "2", "10,000" = "10000". The standard normalisation equates
 * only the literal "0.5" with \frac{1}{2}, so a model writing a correct fraction as a decimal would count
 * as wrong; exact equality cannot make a wrong answer right (0.33 is not \frac{1}{3}), so it only removes
 * those false negatives and never changes a verdict the standard comparison calls correct.
 */
export function sameRational(a: string, b: string): boolean {
  const x = parseRational(a);
  if (!x) return false;
  const y = parseRational(b);
  if (!y) return false;
  return x.numerator * y.denominator === y.numerator * x.denominator;
}

export const mathGrader: Grader = {
  extract: extractMathAnswer,
  // Targets are MATH solutions, whose final answer is their last \boxed{}.
  extractTarget: extractMathAnswer,
  // An answer field holds the answer itself ("\\frac{14}{3}"), boxed or not.
  normalise: (answer) => {
    const stripped = stripString(lastBoxedContent(answer) ?? answer.trim());
    return stripped === '' ? null : stripped;
  },
  equivalent: (answer, targetAnswer) => answer === targetAnswer || sameRational(answer, targetAnswer),
};
