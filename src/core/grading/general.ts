// Answers of the layouts that name no benchmark (chat, Alpaca, prompt/completion, verl, own mappings): the
// final answer is the last \boxed{…} (braces matched), else the text after the first "####", else after the
// last "The answer is", else the last number. Answers compare as numbers when both are plain numbers
// (thousands separators, units and "$" dropped; 0.5 = \frac{1}{2}), else by the MATH normalisation.
import type { Grader } from './grader';
import { lastNumber, numberAt } from './gsm8k';
import { lastBoxedContent, sameRational } from './math';
import { stripString } from './math-answer-normalise';

/** A number, then at most a unit word or two ("18", "$1,000", "-3.5 cm", "25%"). */
const NUMBER_WITH_UNITS = /^([-+\u2212]?\$?\s*[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+\u2212]?\.\d+)\s*(?:[a-zA-Z%\u00b0][a-zA-Z%\u00b0\s]*)?$/;
const ANSWER_IS = /answer is/gi;

/** The normalised form of an answer stated alone: "$18.", "\(\frac{1}{2}\)", "\boxed{5}", "1,000 apples". */
export function normaliseStatedAnswer(raw: string): string | null {
  let s = raw.trim().replace(/^[\s:*]+/, '').replace(/[\s.*]+$/, '');
  const boxed = lastBoxedContent(s);
  if (boxed !== null) s = boxed.trim();
  for (const [open, close] of [['$', '$'], ['\\(', '\\)'], ['\\[', '\\]']]) {
    if (s.length > open.length + close.length && s.startsWith(open) && s.endsWith(close)) s = s.slice(open.length, -close.length).trim();
  }
  const number = NUMBER_WITH_UNITS.exec(s);
  if (number) return numberAt(number[1], 0);
  const stripped = stripString(s);
  return stripped === '' ? null : stripped;
}

/** The line after `at`, up to its end or the end of its sentence (". " or a final "."). */
function restOfSentence(text: string, at: number): string {
  const nl = text.indexOf('\n', at);
  const line = text.slice(at, nl < 0 ? text.length : nl);
  const stop = line.search(/\.\s/);
  return stop < 0 ? line : line.slice(0, stop);
}

export function extractGeneralAnswer(text: string): string | null {
  const boxed = lastBoxedContent(text);
  if (boxed !== null) return normaliseStatedAnswer(boxed);
  for (let at = text.indexOf('####'); at >= 0; at = text.indexOf('####', at + 4)) {
    const answer = normaliseStatedAnswer(restOfSentence(text, at + 4));
    if (answer !== null) return answer;
  }
  let lastStated = -1;
  ANSWER_IS.lastIndex = 0;
  for (let m = ANSWER_IS.exec(text); m; m = ANSWER_IS.exec(text)) lastStated = ANSWER_IS.lastIndex;
  if (lastStated >= 0) {
    const answer = normaliseStatedAnswer(restOfSentence(text, lastStated));
    if (answer !== null) return answer;
  }
  return lastNumber(text);
}

export const generalGrader: Grader = {
  extract: extractGeneralAnswer,
  extractTarget: extractGeneralAnswer,
  normalise: normaliseStatedAnswer,
  equivalent: (answer, targetAnswer) => answer === targetAnswer || sameRational(answer, targetAnswer),
};
