// The standard MATH answer normalisation: a port of `_strip_string` and its helpers from the MATH benchmark's
// math_equivalence.py (Hendrycks et al., MIT), which lm-evaluation-harness's hendrycks_math task and the paper use.
// Step order and quirks are kept on purpose, so answers compare exactly as they do there, including where
// the reference gives up: its asserts and index errors make `is_equiv` compare the raw strings, which
// `stripString` mirrors by returning its input unchanged.

/** Where the reference raises (an assert or an index error) and falls back to the raw string. */
class ReferenceFallback extends Error {}

/** The first code point of a string (Python indexes code points, JavaScript UTF-16 units). */
function firstCodePoint(s: string): string {
  const cp = s.codePointAt(0);
  if (cp === undefined) throw new ReferenceFallback();
  return cp > 0xffff ? s.slice(0, 2) : s[0];
}

/** "\frac12" -> "\frac{1}{2}", "\frac1b" -> "\frac{1}{b}", "\frac1{72}" -> "\frac{1}{72}". */
function fixFracs(string: string): string {
  const parts = string.split('\\frac');
  if (parts.length === 1) return string;
  let out = parts[0];
  for (let p = 1; p < parts.length; p++) {
    const substr = parts[p];
    out += '\\frac';
    const a = firstCodePoint(substr);
    if (a === '{') {
      out += substr;
      continue;
    }
    const rest = substr.slice(a.length);
    // The reference returns its input unchanged when the argument is a single character.
    if (rest.length === 0) return string;
    const b = firstCodePoint(rest);
    const post = rest.slice(b.length);
    out += b !== '{' ? `{${a}}{${b}}${post}` : `{${a}}${b}${post}`;
  }
  return out;
}

const INTEGER_SLASH_INTEGER = /^(?:0|-?[1-9][0-9]*)\/(?:0|-?[1-9][0-9]*)$/;

/** "3/4" -> "\frac{3}{4}" when both sides are integers written as Python's str(int) writes them. */
function fixASlashB(string: string): string {
  if (!INTEGER_SLASH_INTEGER.test(string)) return string;
  const slash = string.indexOf('/');
  return `\\frac{${string.slice(0, slash)}}{${string.slice(slash + 1)}}`;
}

/** "10\text{ cm}" -> "10": "\text{ " (with the space) only ever marks units in MATH answers. */
function removeRightUnits(string: string): string {
  const at = string.indexOf('\\text{ ');
  if (at < 0) return string;
  if (string.indexOf('\\text{ ', at + 1) >= 0) throw new ReferenceFallback();
  return string.slice(0, at);
}

/** "\sqrt3" -> "\sqrt{3}". */
function fixSqrt(string: string): string {
  if (!string.includes('\\sqrt')) return string;
  const parts = string.split('\\sqrt');
  let out = parts[0];
  for (let p = 1; p < parts.length; p++) {
    const split = parts[p];
    const a = firstCodePoint(split);
    out += a !== '{' ? `\\sqrt{${a}}${split.slice(a.length)}` : `\\sqrt${split}`;
  }
  return out;
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function strip(string: string): string {
  string = string.replaceAll('\n', '');
  string = string.replaceAll('\\!', '');
  string = string.replaceAll('\\\\', '\\');
  string = string.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  string = string.replaceAll('\\left', '').replaceAll('\\right', '');
  string = string.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '');
  string = string.replaceAll('\\$', '');
  string = removeRightUnits(string);
  string = string.replaceAll('\\%', '').replaceAll('%', '');
  // " .5" and "{.5" mean " 0.5" and "{0.5".
  string = string.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (string.length === 0) return string;
  if (string[0] === '.') string = `0${string}`;
  // "k = 5" -> " 5": a short left-hand side of a single "=" names the answer.
  const eq = string.indexOf('=');
  if (eq >= 0 && string.indexOf('=', eq + 1) < 0 && codePointLength(string.slice(0, eq)) <= 2) {
    string = string.slice(eq + 1);
  }
  string = fixSqrt(string);
  string = string.replaceAll(' ', '');
  string = fixFracs(string);
  if (string === '0.5') string = '\\frac{1}{2}';
  return fixASlashB(string);
}

/** `_strip_string` of the reference; its input unchanged where the reference would fall back to raw strings. */
export function stripString(string: string): string {
  try {
    return strip(string);
  } catch (err) {
    if (err instanceof ReferenceFallback) return string;
    throw err;
  }
}
