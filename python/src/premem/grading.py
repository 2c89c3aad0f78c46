"""GSM8K and MATH answer grading, equal to the TypeScript graders in src/core/grading/ case for case.

Outcome codes as in run logs: 0 correct, 1 wrong, 2 unparseable (the sample states no final answer).
The scanners look only at ASCII characters (and U+2212 minus), as the TypeScript ones do, so Python's code
point indexing and JavaScript's UTF-16 indexing pick the same spans.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

Task = Literal["gsm8k", "math"]
CORRECT, WRONG, UNPARSEABLE = 0, 1, 2


class Grade(NamedTuple):
    outcome: int
    answer: str | None
    target_answer: str | None


# ---------------------------------------------------------------- GSM8K: numbers

_UNICODE_MINUS = "\u2212"


def _is_digit(text: str, i: int) -> bool:
    return i < len(text) and "0" <= text[i] <= "9"


def _is_alphanumeric(c: str) -> bool:
    return "0" <= c <= "9" or "A" <= c <= "Z" or "a" <= c <= "z"


def _scan_unsigned(text: str, start: int) -> int:
    """End of the unsigned number at start: digits with commas between them, then '.' and digits."""
    n = len(text)
    j = start
    while j < n:
        c = text[j]
        if "0" <= c <= "9":
            j += 1
        elif c == "," and j > start and _is_digit(text, j + 1):
            j += 1
        else:
            break
    if j < n and text[j] == "." and _is_digit(text, j + 1):
        j += 2
        while _is_digit(text, j):
            j += 1
    return j


def _canonical_number(text: str, start: int, end: int, negative: bool) -> str:
    """Commas gone, no leading zeros, no trailing fractional zeros, no "-0"."""
    dot = text.find(".", start, end)
    if dot < 0:
        dot = end
    integer = text[start:dot].replace(",", "")
    integer = integer.lstrip("0") or "0"
    fraction = text[dot + 1 : end].rstrip("0") if dot < end else ""
    magnitude = f"{integer}.{fraction}" if fraction else integer
    return f"-{magnitude}" if negative and magnitude != "0" else magnitude


def _is_sign(c: str) -> bool:
    return c in ("-", "+", _UNICODE_MINUS)


def _number_at(text: str, i: int) -> str | None:
    """The number right at i (after blanks, ':' and '*'), with a sign and '$' in either order."""
    n = len(text)
    while i < n and text[i] in " \t:*":
        i += 1
    negative = signed = False
    if i < n and _is_sign(text[i]):
        negative = text[i] != "+"
        signed = True
        i += 1
    if i < n and text[i] == "$":
        i += 1
        while i < n and text[i] in " \t":
            i += 1
        if not signed and i < n and _is_sign(text[i]):
            negative = text[i] != "+"
            i += 1
    if not (_is_digit(text, i) or (i < n and text[i] == "." and _is_digit(text, i + 1))):
        return None
    return _canonical_number(text, i, _scan_unsigned(text, i), negative)


def _last_number(text: str) -> str | None:
    """The last number; a '-' before it is a sign only when it does not follow a word or number."""
    n = len(text)
    last_start = last_end = -1
    i = 0
    while i < n:
        c = text[i]
        if "0" <= c <= "9" or (c == "." and _is_digit(text, i + 1) and not (i > 0 and _is_digit(text, i - 1))):
            last_start = i
            last_end = _scan_unsigned(text, i)
            i = last_end
        else:
            i += 1
    if last_start < 0:
        return None
    k = last_start - 1
    if k >= 0 and text[k] == "$":
        k -= 1
    c = text[k] if k >= 0 else ""
    negative = c in ("-", _UNICODE_MINUS) and not (k > 0 and _is_alphanumeric(text[k - 1]))
    return _canonical_number(text, last_start, last_end, negative)


# ASCII case folding only, as JavaScript's /answer is/i (no u flag) does.
_ANSWER_IS = re.compile("answer is", re.IGNORECASE | re.ASCII)


def extract_gsm8k_answer(text: str) -> str | None:
    """The number after the first "####" that has one, else after "answer is", else the last number."""
    at = text.find("####")
    while at >= 0:
        answer = _number_at(text, at + 4)
        if answer is not None:
            return answer
        at = text.find("####", at + 4)
    for m in _ANSWER_IS.finditer(text):
        answer = _number_at(text, m.end())
        if answer is not None:
            return answer
    return _last_number(text)


# ---------------------------------------------------------------- MATH: \boxed{} and _strip_string

# JavaScript's String.prototype.trim() set, which differs from Python's str.strip() (BOM yes, \x1c-\x1f and \x85 no).
_JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _closing_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def last_boxed_content(text: str) -> str | None:
    """Raw content of the last \\boxed (else the last \\fbox): braces matched, or up to the next '$' or line end."""
    at = text.rfind("\\boxed")
    after = at + len("\\boxed")
    if at < 0:
        at = text.rfind("\\fbox")
        if at < 0:
            return None
        after = at + len("\\fbox")
    i = after
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] == "{":
        close = _closing_brace(text, i)
        return None if close < 0 else text[i + 1 : close]
    if i == after:
        return None
    end = i
    while end < len(text) and text[end] not in "$\n":
        end += 1
    return text[i:end].strip(_JS_WHITESPACE)


class _ReferenceFallback(Exception):
    """Where the reference math_equivalence.py raises and compares raw strings."""


def _first(s: str) -> str:
    if not s:
        raise _ReferenceFallback
    return s[0]


def _fix_fracs(string: str) -> str:
    parts = string.split("\\frac")
    if len(parts) == 1:
        return string
    out = parts[0]
    for substr in parts[1:]:
        out += "\\frac"
        a = _first(substr)
        if a == "{":
            out += substr
            continue
        rest = substr[1:]
        if not rest:
            return string
        b = rest[0]
        post = rest[1:]
        out += f"{{{a}}}{{{b}}}{post}" if b != "{" else f"{{{a}}}{b}{post}"
    return out


_INTEGER_SLASH_INTEGER = re.compile(r"(?:0|-?[1-9][0-9]*)/(?:0|-?[1-9][0-9]*)")


def _fix_a_slash_b(string: str) -> str:
    if not _INTEGER_SLASH_INTEGER.fullmatch(string):
        return string
    top, bottom = string.split("/", 1)
    return f"\\frac{{{top}}}{{{bottom}}}"


def _remove_right_units(string: str) -> str:
    at = string.find("\\text{ ")
    if at < 0:
        return string
    if string.find("\\text{ ", at + 1) >= 0:
        raise _ReferenceFallback
    return string[:at]


def _fix_sqrt(string: str) -> str:
    if "\\sqrt" not in string:
        return string
    parts = string.split("\\sqrt")
    out = parts[0]
    for split in parts[1:]:
        a = _first(split)
        out += f"\\sqrt{{{a}}}{split[1:]}" if a != "{" else f"\\sqrt{split}"
    return out


def _strip(string: str) -> str:
    string = string.replace("\n", "").replace("\\!", "").replace("\\\\", "\\")
    string = string.replace("tfrac", "frac").replace("dfrac", "frac")
    string = string.replace("\\left", "").replace("\\right", "")
    string = string.replace("^{\\circ}", "").replace("^\\circ", "")
    string = string.replace("\\$", "")
    string = _remove_right_units(string)
    string = string.replace("\\%", "").replace("%", "")
    string = string.replace(" .", " 0.").replace("{.", "{0.")
    if not string:
        return string
    if string[0] == ".":
        string = "0" + string
    eq = string.find("=")
    if eq >= 0 and string.find("=", eq + 1) < 0 and eq <= 2:
        string = string[eq + 1 :]
    string = _fix_sqrt(string)
    string = string.replace(" ", "")
    string = _fix_fracs(string)
    if string == "0.5":
        string = "\\frac{1}{2}"
    return _fix_a_slash_b(string)


def strip_string(string: str) -> str:
    """The MATH benchmark's _strip_string; the input unchanged where the reference falls back to raw strings."""
    try:
        return _strip(string)
    except _ReferenceFallback:
        return string


def extract_math_answer(text: str) -> str | None:
    content = last_boxed_content(text)
    if content is None:
        return None
    answer = strip_string(content)
    return answer or None


_DECIMAL = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_FRACTION = re.compile(r"(-?)\\frac\{(-?[0-9]+)\}\{(-?[0-9]+)\}")
_MAX_RATIONAL_CHARS = 64


def _parse_rational(s: str) -> tuple[int, int] | None:
    if len(s) > _MAX_RATIONAL_CHARS:
        return None
    decimal = _DECIMAL.fullmatch(s)
    if decimal:
        sign, integer, fraction = decimal.group(1), decimal.group(2), decimal.group(3) or ""
        numerator = int(integer.replace(",", "") + fraction)
        return (-numerator if sign else numerator, 10 ** len(fraction))
    frac = _FRACTION.fullmatch(s)
    if frac:
        sign, top, bottom = frac.groups()
        denominator = int(bottom)
        if denominator == 0:
            return None
        numerator = int(top)
        return (-numerator if sign else numerator, denominator)
    return None


def same_rational(a: str, b: str) -> bool:
    """Whether two normalised answers are the same plain rational number, exactly."""
    x = _parse_rational(a)
    if x is None:
        return False
    y = _parse_rational(b)
    if y is None:
        return False
    return x[0] * y[1] == y[0] * x[1]


# ---------------------------------------------------------------- both tasks


def extract_answer(task: Task, text: str) -> str | None:
    """The normalised final answer of a sample (or target trace); None when it states none."""
    if task == "gsm8k":
        return extract_gsm8k_answer(text)
    if task == "math":
        return extract_math_answer(text)
    raise ValueError(f"unknown grading task '{task}': expected gsm8k or math")


def equivalent(task: Task, answer: str, target_answer: str) -> bool:
    return answer == target_answer or (task == "math" and same_rational(answer, target_answer))


def grade_against(task: Task, target_answer: str | None, sample: str) -> Grade:
    """Grades a sample against a target answer already extracted with extract_answer."""
    answer = extract_answer(task, sample)
    if answer is None:
        outcome = UNPARSEABLE
    elif target_answer is not None and equivalent(task, answer, target_answer):
        outcome = CORRECT
    else:
        outcome = WRONG
    return Grade(outcome, answer, target_answer)


def grade(task: Task, target: str, sample: str) -> Grade:
    return grade_against(task, extract_answer(task, target), sample)
