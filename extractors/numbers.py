"""Numerals in Chinese and English news to floats: Arabic, Chinese, both mixed, English words,
and the magnitudes after them.

Works on Simplified-folded text (兩 has become 两, 萬 万, 億 亿).
"""
from __future__ import annotations

from extractors.patterns import load

_RULES = load("numbers")
CN_DIGITS = _RULES.dictionary("cn_digits", int)
CN_SMALL = _RULES.dictionary("cn_small", int)
CN_BIG = _RULES.dictionary("cn_big", float)
CN_POINT = frozenset(_RULES.list("cn_point"))
CN_NUM_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG)

ZH_MAGNITUDES = _RULES.dictionary("zh_magnitudes", float)
EN_MAGNITUDES = {**_RULES.dictionary("en_magnitude_words", float), **_RULES.dictionary("en_magnitude_letters", float),
                 **_RULES.dictionary("en_magnitude_capitals", float)}
EN_MAGNITUDE_LETTERS = frozenset(_RULES.dictionary("en_magnitude_letters", float))
UNIT_MAGNITUDES = _RULES.list("unit_magnitudes")
ZH_MAGNITUDE = _RULES.regex("zh_magnitude")
EN_MAGNITUDE = _RULES.regex("en_magnitude")
ARABIC = _RULES.regex("arabic")
NUMERAL = _RULES.regex("numeral")
EN_NUMERAL = _RULES.regex("en_numeral")

_EN_UNITS = _RULES.dictionary("en_units", int)
_EN_TENS = _RULES.dictionary("en_tens", int)
EN_DENOMINATORS = _RULES.dictionary("en_denominators", int)
EN_SCALES = _RULES.dictionary("en_scales", float)
_EN_TOKEN = _RULES.regex("en_word_token")


def parse_arabic(s: str) -> float:
    """'4,000' -> 4000.0, '4.38' -> 4.38."""
    return float(s.replace(",", ""))


def _tokens(s: str) -> list[tuple[str, object]]:
    """('num', value) for an Arabic run or a Chinese digit, ('small'|'big', factor), ('point', None)."""
    out: list[tuple[str, object]] = []
    i = 0
    while i < len(s):
        c = s[i]
        if m := ARABIC.match(s, i):
            out.append(("arabic", parse_arabic(m.group(0))))
            i = m.end()
            continue
        if c in CN_DIGITS:
            out.append(("digit", CN_DIGITS[c]))
        elif c in CN_SMALL:
            out.append(("small", CN_SMALL[c]))
        elif c in CN_BIG:
            out.append(("big", CN_BIG[c]))
        elif c in CN_POINT:
            out.append(("point", None))
        else:
            raise ValueError(f"not a numeral: {s!r}")
        i += 1
    return out


def _integer(tokens: list[tuple[str, object]]) -> float:
    """The positional value of digits, Arabic runs and 十百千万亿兆, with a truncated last digit
    read one place down (一万三 is 13000, 一千五 1500; 十五 stays 15)."""
    total = 0.0  # finished big-unit groups
    group = 0.0  # the current group below 万
    digit: float | None = None
    for kind, v in tokens:
        if kind == "digit":
            digit = float(v) if digit is None else digit * 10 + v  # digit by digit: 二〇二五, 五○五七
        elif kind == "arabic":
            if digit:  # 3三: not one number
                raise ValueError("two numbers side by side")
            digit = v
        elif kind == "small":
            group += (1 if digit is None else digit) * v
            digit = None
        else:
            section = group + (digit or 0)
            if section == 0 and total == 0:
                section = 1
            if section == 0 or total and total < v:
                total = (total + section) * v  # 一万亿, 百亿亿: a magnitude right after a magnitude multiplies
            else:
                total += section * v
            group, digit = 0.0, None
    if len(tokens) > 1 and tokens[-1][0] == "digit" and tokens[-2][0] in ("small", "big") and tokens[-2][1] > 10:
        digit *= tokens[-2][1] / 10  # 一万三, 一千五, 十二万五
    return float(total + group + (digit or 0))


def parse_chinese(s: str) -> float:
    """Chinese numerals, mixed with Arabic runs or not, to a number.

    >>> parse_chinese("两百万")
    2000000.0
    >>> parse_chinese("一千三百六十一万")
    13610000.0
    >>> parse_chinese("一万三"), parse_chinese("3万4000"), parse_chinese("2千零30万")
    (13000.0, 34000.0, 20300000.0)
    >>> parse_chinese("五○五七点四亿"), parse_chinese("十六点○八")
    (505740000000.0, 16.08)
    """
    if not s:
        raise ValueError("empty numeral")
    tokens = _tokens(s)
    points = [i for i, (kind, _) in enumerate(tokens) if kind == "point"]
    if not points:
        return _integer(tokens)
    if len(points) > 1 or points[0] == 0:
        raise ValueError(f"not a decimal: {s!r}")
    head, tail = tokens[:points[0]], tokens[points[0] + 1:]
    fraction = ""
    while tail and tail[0][0] == "digit":
        fraction += str(tail.pop(0)[1])
    if not fraction or any(kind not in ("small", "big") for kind, _ in tail):
        raise ValueError(f"not a decimal: {s!r}")
    digits = f"{_integer(head):.0f}{fraction}"
    scale = 1.0
    for _, factor in tail:  # 一点○五兆, 五○五七点四亿
        scale *= factor
    return float(digits) * scale / 10 ** len(fraction)  # 50574 * 1e8 / 10 is exact, 5057.4 * 1e8 is not


def parse_pair(s: str) -> tuple[float, float] | None:
    """Two neighbouring digits written together are a range, not one number.

    >>> parse_pair("两三百"), parse_pair("七八"), parse_pair("二三五")
    ((200.0, 300.0), (7.0, 8.0), None)
    """
    if len(s) < 2 or s[0] not in CN_DIGITS or s[1] not in CN_DIGITS:
        return None
    a, b = CN_DIGITS[s[0]], CN_DIGITS[s[1]]
    rest = s[2:]
    if a == 0 or b != a + 1 or any(c in CN_DIGITS or c in CN_POINT or c.isdigit() for c in rest):
        return None
    return parse_chinese(s[0] + rest), parse_chinese(s[1] + rest)


def parse_english(s: str) -> float:
    """English number words to a number.

    >>> parse_english("two hundred and two thousand"), parse_english("fifteen hundred")
    (202000.0, 1500.0)
    >>> parse_english("half a million"), parse_english("one and a half billion")
    (500000.0, 1500000000.0)
    >>> round(parse_english("two thirds of a million")), parse_english("a couple dozen")
    (666667, 24.0)
    """
    total, current, fraction = 0.0, 0.0, 1.0
    words = [w.lower() for w in _EN_TOKEN.findall(s)]
    for i, w in enumerate(words):
        if w in _EN_UNITS or w in _EN_TENS:
            current += _EN_UNITS.get(w, 0) + _EN_TENS.get(w, 0)
        elif w == "couple":
            current = 2.0
        elif w == "half" and i >= 2 and words[i - 2] == "and":
            current += 0.5  # one and a half billion
        elif w in EN_DENOMINATORS:
            fraction, current = (current or 1.0) / EN_DENOMINATORS[w], 0.0  # half a, two thirds of a
        elif w in EN_SCALES and EN_SCALES[w] < 1000:
            current = (current or 1.0) * EN_SCALES[w]  # fifteen hundred, three dozen
        elif w in EN_SCALES:
            total += (current or 1.0) * fraction * EN_SCALES[w]
            current, fraction = 0.0, 1.0
        elif w not in ("a", "an", "and", "of"):
            raise ValueError(f"not an English number: {s!r}")
    return total + current * fraction


def parse_number(s: str) -> float:
    s = s.strip()
    if ARABIC.fullmatch(s):
        return parse_arabic(s)
    if s[:1].isascii() and s[:1].isalpha():
        return parse_english(s)
    return parse_chinese(s)
