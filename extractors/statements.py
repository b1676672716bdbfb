"""Statements from a text: who does what to whom (data/predicates.yaml), denied or not, and how
firmly it is said. Rules over clause structure and the gazetteer's mentions:

- a predicate's surface form (a cue) is found in a clause;
- its subject is the nearest named entity before the cue in the clause that no marker claims
  (与/with mark a partner, 向/从/对/比/把 an object, 被/由/by an agent), else one earlier in
  the sentence, else the phrase that opens the clause, else the article's running subject;
- its object is the first fitting entity after the cue, else the one a marker claims before it;
  a passive (被X收购, "was sued by X") and a reversed form ("joining NVIDIA") turn the roles round;
- a negation cue shortly before the verb denies it; modality cues in the sentence up to the end
  of the clause say fact, forecast, hedged, conditional or question (strongest wins).

Pure functions over Simplified-folded, length-preserving text; offsets index the original.
"""
from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

from extractors.patterns import load
from extractors.predicates import Cue, Predicate, cue_regex, vocabulary

log = logging.getLogger(__name__)
_R = load("statements")
_CLAUSE = _R.regex("clause_break")
_WITH = _R.regex("with_marker")
_OBJECT = _R.regex("object_marker")
_FROM = _R.regex("from_marker")
_AGENT = _R.regex("agent_marker")
_PLACE = _R.regex("place_marker")
_BARE_PASSIVE = _R.regex("bare_passive")
_BLOCKED = _R.regex("blocked_after")
_PAIR = _R.regex("pair")
_JIANG = _R.regex("object_jiang")
_PASSIVE_BEFORE = _R.regex("passive_before")
_PASSIVE_AFTER = _R.regex("passive_after")
_POSSESSIVE = _R.regex("possessive_between")
_SWITCH_TO = _R.regex("switch_to")
_COUNTRY_MARK = _R.regex("country_marker")
_CHINA = _R.regex("china_words")
_NEGATION = _R.regex("negation")
_REACH = _R.dictionary("negation_reach", int)
_Q_CLAUSE, _Q_END = _R.regex("question_clause"), _R.regex("question_end")
_COND_REPORT, _COND_CLAUSE = _R.regex("conditional_report"), _R.regex("conditional_clause")
_HEDGE_REPORT, _HEDGE_CLAUSE = _R.regex("hedged_report"), _R.regex("hedged_clause")
_FORE_REPORT, _FORE_CLAUSE = _R.regex("forecast_report"), _R.regex("forecast_clause")
_PRONOUN = _R.regex("pronoun")
_PHRASE_STOP = {"zh": _R.regex("zh_phrase_stop"), "en": _R.regex("en_phrase_stop")}
_PHRASE_LEAD = {"zh": _R.regex("zh_phrase_lead"), "en": _R.regex("en_phrase_lead")}
_NOT_ACTORS = frozenset({"person"})
_PRODUCTS = frozenset({"product", "model", "technology"})
_JOINED = re.compile(r"^\s*(and|&|、|及|以及|和|与|,)\s*$", re.I)
_ADJACENT = 3  # a verb this close before another is part of it: 推出超越, buy a stake in
MODALITIES = ("question", "conditional", "hedged", "forecast", "fact")


@dataclass
class _Sent:
    text: str  # the whole folded article
    lang: str  # "zh" or "en"
    start: int
    end: int
    mentions: list[dict]
    clauses: list[tuple[int, int]]
    carry: str | None  # the article's running subject when the sentence starts
    parents: dict[str, str]
    prev_subject: dict | None = None  # the subject of the sentence's previous statement
    pair_object: dict | None = None  # 双方: the second of the two, for the cue being read
    marks: dict = field(default_factory=dict)  # (mention start, floor) -> marker, read once

    def clause(self, pos: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return self.start, self.end


def find_statements(text: str, sentences: list[tuple[int, int]], mentions: list[dict], claims: list[dict],
                    lang: str | None, parents: dict[str, str] | None = None) -> list[dict]:
    """Statements of folded `text`. `mentions`: [{start, end, id, type}] sorted by start;
    `claims`: the doc's claims (a statement lists those inside its clause); `parents`: entity id
    -> maker, from the gazetteer."""
    key = "en" if lang == "en" else "zh"
    preds, forms = vocabulary()
    rx = cue_regex(key)
    starts = [m["start"] for m in mentions]
    out: list[dict] = []
    carry: str | None = None
    for ss, se in sentences:
        in_sent = mentions[bisect.bisect_left(starts, ss):bisect.bisect_left(starts, se)]
        cues = [m for m in rx.finditer(text, ss, se) if _usable_cue(text, m, in_sent)]
        found: list[dict] = []
        if cues:
            try:
                sent = _Sent(text, key, ss, se, in_sent, _clauses(text, ss, se), carry, parents or {})
                found = _sentence_statements(sent, cues, preds, forms[key])
            except Exception:  # an unreadable sentence yields nothing; the rest of the text still counts
                log.debug("statements: skipped sentence at %d", ss, exc_info=True)
        for s in found:
            s["claims"] = [i for i, c in enumerate(claims) if s["start"] <= c["start"] and c["end"] <= s["end"]]
        out += found
        named = [m["id"] for m in in_sent if m["type"] not in _NOT_ACTORS and m["type"] != "country"]
        subjects = [s["subject"] for s in found if s["subject"]]
        carry = subjects[0] if subjects else (named[0] if named else carry)
    return out


def _usable_cue(text: str, m: re.Match, mentions: list[dict]) -> bool:
    """Not inside a name, not inside 「quotes」 (a rating: 「优于大盘」), not followed by a word it
    cannot govern (发布公告, 快于预期)."""
    if any(x["start"] < m.end() and m.start() < x["end"] for x in mentions):
        return False
    before = text[max(0, m.start() - 8):m.start()]
    if "「" in before and "」" not in before[before.rindex("「"):]:
        return False
    return not _BLOCKED.match(text, m.end())


def _clauses(text: str, ss: int, se: int) -> list[tuple[int, int]]:
    out, a = [], ss
    for m in _CLAUSE.finditer(text, ss, se):
        out.append((a, m.start()))
        a = m.end()
    out.append((a, se))
    return [(a, b) for a, b in out if b > a]


def _sentence_statements(sent: _Sent, cues: list[re.Match], preds: dict[str, Predicate],
                         forms: dict[str, list[Cue]]) -> list[dict]:
    out: list[dict] = []
    seen: set[tuple] = set()
    for i, m in enumerate(cues):
        clause = sent.clause(m.start())
        later = [c for c in cues[i + 1:] if c.start() < clause[1]]
        if later and later[0].start() - m.end() <= _ADJACENT:
            continue  # 推出超越X的产品, buy a stake in: the second verb says what is meant
        if _is_modifier(sent, m, clause, later):
            continue
        for st in _read_cue(sent, m, clause, forms[m.group(0).lower()], preds):
            k = (st["subject"] or st["subject_span"], st["predicate"], st["object"] or st["object_span"], clause)
            if k not in seen:
                seen.add(k)
                out.append(st)
                if st["subject"]:
                    sent.prev_subject = {"id": st["subject"], "type": "carried", "start": -1, "end": -1}
    return out


def _is_modifier(sent: _Sent, m: re.Match, clause: tuple[int, int], later: list[re.Match]) -> bool:
    """采用HBM4的推理加速器…持平, 把对Groq的授权升级为收购, 收购Mellanox时: a verb or noun that
    describes a thing or a time, asserting nothing of its own."""
    if sent.lang != "zh":
        return False
    if re.match(r"^[^,，。]{0,12}?时", sent.text[m.end():clause[1]]):
        return True
    if not later:
        return False
    return "的" in sent.text[m.end():later[0].start()] or sent.text[max(clause[0], m.start() - 1):m.start()] == "的"


def _read_cue(sent: _Sent, m: re.Match, clause: tuple[int, int], cues: list[Cue],
              preds: dict[str, Predicate]) -> list[dict]:
    """The statements one cue makes: the first predicate of the form whose object fits."""
    options = sorted(cues, key=lambda c: not preds[c.predicate].object_types)  # a typed object first
    for n, cue in enumerate(options):
        pred = preds[cue.predicate]
        roles = _roles(sent, m, clause, pred, cue.reversed)
        if roles is None:
            continue
        subjects, objects, obj_span, subj_span = roles
        if pred.object_types and not (objects and objects[0] and objects[0]["type"] in pred.object_types) \
                and n + 1 < len(options):
            continue  # 限制 with no product after it: not restricts, perhaps limits
        if pred.group == "market" and pred.qualifier == "keyword" and _qualifier(sent, pred, clause, m) is None:
            return []  # 良率提升, 吞吐提升: nothing a raise or cut is about
        predicate = preds[_switched(sent, pred, objects[0] if objects else None)]
        return [_statement(sent, m, clause, predicate, s, subj_span, o, obj_span)
                for s in subjects for o in (objects or [None])]
    return []


def _switched(sent: _Sent, pred: Predicate, obj: dict | None) -> str:
    """'licenses its designs to NVIDIA' is licenses_to; '向NVIDIA取得…授权' is licenses_from."""
    if obj is None or obj["start"] < 0:
        return pred.id
    before = sent.text[max(sent.start, obj["start"] - 8):obj["start"]]
    for marker, other in pred.switch:
        if (marker == "to" and _SWITCH_TO.search(before)) or (marker == "from" and _FROM.search(before)):
            return other
    return pred.id


def _mark(sent: _Sent, x: dict, floor: int) -> str | None:
    """Which marker, if any, is written right before mention `x`."""
    key = (x["start"], floor)
    if key not in sent.marks:
        sent.marks[key] = _read_mark(sent, x["start"], floor)
    return sent.marks[key]


def _read_mark(sent: _Sent, start: int, floor: int) -> str | None:
    before = sent.text[max(floor, start - 8):start]
    for name, rx in (("agent", _AGENT), ("with", _WITH), ("object", _OBJECT), ("place", _PLACE)):
        if rx.search(before):
            return name
    if sent.lang == "zh" and _JIANG.search(before):
        return "object"
    return None


def _heads(sent: _Sent, ms: list[dict]) -> list[dict]:
    """Mentions, with 'X的Y', "X's Y" and 'X Y' (英伟达B200, NVIDIA H200) read as Y, which keeps
    X as its modifier and X's place for markers."""
    out: list[dict] = []
    for x in ms:
        if out and (_POSSESSIVE.match(sent.text[out[-1]["end"]:x["start"]])
                    or not sent.text[out[-1]["end"]:x["start"]].strip()):
            out[-1] = {**x, "start": out[-1]["start"], "mod": out[-1]}
            continue
        out.append(x)
    return out


def _carried(eid: str | None) -> dict | None:
    return {"id": eid, "type": "carried", "start": -1, "end": -1} if eid else None


def _roles(sent: _Sent, m: re.Match, clause: tuple[int, int], pred: Predicate, reversed_form: bool):
    """([subjects], [objects], object text span, subject text span), or None."""
    cs, ce = clause
    actors = [x for x in sent.mentions if x["type"] not in _NOT_ACTORS]
    before = _heads(sent, [x for x in actors if cs <= x["start"] and x["end"] <= m.start()])
    after = _heads(sent, [x for x in actors if x["start"] >= m.end() and x["end"] <= ce])
    marks = {id(x): _mark(sent, x, cs) for x in before + after}
    passive = (sent.lang == "en" and _PASSIVE_BEFORE.search(sent.text[max(cs, m.start() - 20):m.start()])
               and _PASSIVE_AFTER.match(sent.text[m.end():ce]))
    agents = [x for x in before if marks[id(x)] == "agent"]
    if passive or agents:  # turned round: the agent acts on the grammatical subject
        agent = after[0] if passive and after else (agents[-1] if agents else None)
        patient = _nearest_unmarked(before, marks, exclude=agent) or _earlier(sent, cs, agent) \
            or _carried(sent.carry)
        if pred.object == "none":
            return None
        if agent is None:  # "was sued by a group of shareholders": the agent is a description
            by = _PASSIVE_AFTER.match(sent.text[m.end():ce]) if passive else None
            span = _phrase_after(sent, m.end() + by.end(), ce) if by else None
            return ([None], [patient], None, span) if span and patient else None
        return [agent], [patient], None, None
    if sent.lang == "zh" and _BARE_PASSIVE.search(sent.text, cs, m.start()):  # 许可证可能被撤销
        span = _phrase_before(sent, cs, m.start())
        subj = _earlier(sent, cs, None) or _carried(sent.carry)
        return ([subj], [], span, None) if subj and span else None
    objects = _objects(sent, pred, before, after, marks, m.end(), ce)
    obj = objects[0] if objects else None
    sent.pair_object = None
    subjects = _subjects(sent, before, marks, m.start(), obj, cs)
    if sent.pair_object and pred.object != "none" and (not objects or objects[0]["id"] == subjects[0]["id"]):
        objects = [sent.pair_object]
    if reversed_form:
        back = obj
        obj = subjects[0] if subjects else _earlier(sent, cs, back)
        subjects, objects = ([back] if back else []), ([obj] if obj else [])
    subj_span = None
    if not subjects:
        subj_span = _phrase_before(sent, cs, m.start())
        if subj_span is None and sent.carry:
            subjects = [_carried(sent.carry)]
    if subjects and pred.product and not objects:
        subjects, objects = _maker(sent, subjects[0]), [subjects[0]]
    if pred.object == "self" and not objects:
        objects = subjects[:1]
    obj_span = None
    if not objects and pred.object != "none" and not reversed_form:
        obj_span = _phrase_after(sent, m.end(), ce) or _marked_phrase(sent, cs, m.start())
    if not subjects and subj_span is None:
        return None
    return (subjects or [None]), objects, obj_span, subj_span


def _maker(sent: _Sent, product: dict) -> list[dict | None]:
    """Who launches or ships a product named as the subject: 英伟达Rubin, its parent, the running subject."""
    if product.get("mod"):
        return [product["mod"]]
    if product["type"] not in _PRODUCTS:
        return [product]
    parent = sent.parents.get(product["id"])
    return [_carried(parent or (sent.carry if sent.carry != product["id"] else None))]


def _nearest_unmarked(before: list[dict], marks: dict, exclude=None) -> dict | None:
    for x in reversed(before):
        if marks[id(x)] is None and x is not exclude and x["type"] != "country":
            return x
    return None


def _earlier(sent: _Sent, cs: int, exclude: dict | None) -> dict | None:
    """Who acts in a clause that names no one: the subject of the sentence's previous statement,
    else the first unmarked actor of the sentence before the clause."""
    if sent.prev_subject and (exclude is None or sent.prev_subject["id"] != exclude["id"]):
        return sent.prev_subject
    prior = _heads(sent, [x for x in sent.mentions if x["end"] <= cs and x["type"] not in _NOT_ACTORS])
    for x in prior:
        if _mark(sent, x, sent.start) is None and (exclude is None or x["id"] != exclude["id"]) \
                and x["type"] != "country":
            return x
    return None


def _fits(pred: Predicate):
    if pred.object_types:
        return lambda x: x["type"] in pred.object_types
    return lambda x: x["type"] != "country"


def _objects(sent: _Sent, pred: Predicate, before: list[dict], after: list[dict], marks: dict,
             pos: int, ce: int) -> list[dict]:
    """The object: a marked partner first where the predicate says so, else the first fitting
    unmarked entity after the verb (the most wanted type first), else a marked one; entities
    joined to it by 'and' / 、 are objects too."""
    if pred.object == "none":
        return []
    fits = _fits(pred)
    picked = None
    if pred.marked_first:
        marked = [x for x in before if marks[id(x)] in ("with", "object") and fits(x)]
        marked_after = [x for x in after if marks[id(x)] in ("with", "object") and fits(x)]
        picked = (marked[-1] if marked else None) or (marked_after[0] if marked_after else None)
    if picked is None:
        pool = [x for x in after if marks[id(x)] in (None, "place") and fits(x)]
        for t in pred.object_types or (None,):
            picked = next((x for x in pool if t is None or x["type"] == t), None)
            if picked:
                break
    if picked is None:
        picked = next((x for x in after if marks[id(x)] not in ("agent",) and fits(x)), None)
    if picked is None and not _phrase_after(sent, pos, ce):
        marked = [x for x in before if marks[id(x)] in ("object", "with") and fits(x)]
        picked = marked[-1] if marked else None
    if picked is None:
        return []
    out = [picked]
    if picked in after:
        for x in after[after.index(picked) + 1:]:
            if _JOINED.match(sent.text[out[-1]["end"]:x["start"]]) and fits(x):
                out.append(x)
            else:
                break
    return out


def _subjects(sent: _Sent, before: list[dict], marks: dict, pos: int, obj: dict | None, cs: int) -> list[dict]:
    """The nearest unmarked actor before the cue, with any joined to it by 'and', '、' or 和;
    双方 / the two companies: the first two actors named before; a pronoun: who acted last."""
    window = sent.text[cs:pos]
    usable = [x for x in before if x is not obj and x["type"] != "country" and marks[id(x)] is None]
    if not usable and _PAIR.search(window):
        prior = [x for x in _heads(sent, [x for x in sent.mentions if x["end"] <= cs])
                 if x["type"] not in _NOT_ACTORS and x["type"] != "country"]
        ids = list(dict.fromkeys(x["id"] for x in prior))
        if len(ids) >= 2:
            sent.pair_object = _carried(ids[1])
            return [_carried(ids[0])]
    if not usable:
        if _PRONOUN.search(window):
            return [sent.prev_subject or _carried(sent.carry)] if (sent.prev_subject or sent.carry) else []
        x = _earlier(sent, cs, obj)
        return [x] if x else []
    out = [usable[-1]]
    for x in reversed(usable[:-1]):
        if _JOINED.match(sent.text[x["end"]:out[-1]["start"]]):
            out.insert(0, x)
        else:
            break
    return out


def _marked_phrase(sent: _Sent, cs: int, pos: int) -> tuple[int, int] | None:
    """对美国一家模拟芯片企业发起调查: the unnamed object a marker introduces before the verb."""
    if sent.lang != "zh":
        return None
    found = [m.end() for m in re.finditer("[对向把]", sent.text[cs:pos])]
    if not found:
        return None
    a = cs + found[-1]
    stop = _PHRASE_STOP["zh"].search(sent.text, a + 1, pos)
    b = stop.start() if stop else pos
    return (a, b) if 2 <= b - a <= 20 else None


def _phrase_before(sent: _Sent, cs: int, pos: int) -> tuple[int, int] | None:
    """The phrase opening the clause, up to its first adverb or auxiliary: 另一家券商, operators."""
    text = sent.text
    a = cs
    while a < pos and text[a] in " \t「“\"'(（":
        a += 1
    lead = _PHRASE_LEAD[sent.lang].match(text, a, pos)
    if lead:
        a = lead.end()
        while a < pos and text[a] == " ":
            a += 1
    stop = _PHRASE_STOP[sent.lang].search(text, a + (sent.lang == "zh"), pos)
    b = stop.start() if stop else pos
    while b > a and text[b - 1] in " ，,":
        b -= 1
    phrase = text[a:b]
    if len(phrase.strip()) < 2 or len(phrase) > 40 or _PRONOUN.fullmatch(phrase.strip()):
        return None
    return a, b


def _phrase_after(sent: _Sent, pos: int, ce: int) -> tuple[int, int] | None:
    """The phrase after the verb, up to a preposition (en) or the clause's end (zh): 一家光模块厂商."""
    text = sent.text
    a = pos
    while a < ce and text[a] in " 了着过":
        a += 1
    if sent.lang == "en":
        stop = re.compile(r"\b(on|in|for|by|at|over|from|to|with|as|after|since|because|and|but)\b|[,.]", re.I)
        m = stop.search(text, a + 1, ce)
        b = m.start() if m else ce
    else:
        b = min(ce, a + 20)
    while b > a and text[b - 1] in " ，,。.":
        b -= 1
    return (a, b) if b - a >= 2 else None


def _statement(sent: _Sent, m: re.Match, clause: tuple[int, int], pred: Predicate, subj: dict | None,
               subj_span, obj: dict | None, obj_span) -> dict:
    cs, ce = _trim(sent.text, *clause)
    return {
        "subject": subj["id"] if subj else None, "subject_span": None if subj else subj_span,
        "predicate": pred.id, "object": obj["id"] if obj else None, "object_span": None if obj else obj_span,
        "qualifier": _qualifier(sent, pred, clause, m),
        "polarity": "negated" if _negated(sent, m, clause) else "affirmed",
        "modality": modality(sent.text, sent.start, sent.end, clause, m.start(), {x["start"] for x in sent.mentions}),
        "start": cs, "end": ce, "sentence_start": sent.start, "sentence_end": sent.end,
        "subject_text": None, "object_text": None,
    }


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in "，,；;：:"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "。.!?！？;；"):
        b -= 1
    return a, b


def _negated(sent: _Sent, m: re.Match, clause: tuple[int, int]) -> bool:
    window = sent.text[max(clause[0], m.start() - _REACH[sent.lang]):m.start()]
    return bool(_NEGATION.search(window))


def modality(text: str, ss: int, se: int, clause: tuple[int, int], pos: int,
             names: frozenset[int] | set[int] = frozenset()) -> str:
    """The strongest modality that reaches the verb at `pos` in `clause` of sentence [ss, se).

    A sentence ending in a question mark is a question throughout; 是否 / whether before the
    verb makes one too. A *_report cue (若, 据悉, 预计, if, reportedly, expects) counts from the
    sentence's start, a *_clause cue (可能, 将, may, will) from the clause's start; `names` are
    where mentions start (将AMD的MI308纳入: 将 introduces an object there, not the future).
    """
    cs = clause[0]
    if _Q_END.search(text, ss, se) or _Q_CLAUSE.search(text, ss, pos):
        return "question"
    if _COND_REPORT.search(text, ss, pos) or _COND_CLAUSE.search(text, cs, pos):
        return "conditional"
    if _HEDGE_REPORT.search(text, ss, pos) or _HEDGE_CLAUSE.search(text, cs, pos):
        return "hedged"
    if _FORE_REPORT.search(text, ss, pos):
        return "forecast"
    for f in _FORE_CLAUSE.finditer(text, cs, pos):
        if f.group(0) == "将" and (f.end() in names or _JIANG_OBJECT.match(text, f.end())):
            continue
        return "forecast"
    return "fact"


_JIANG_OBJECT = re.compile(r"[A-Za-z0-9]")


def _qualifier(sent: _Sent, pred: Predicate, clause: tuple[int, int], m: re.Match) -> str | None:
    cs, ce = clause
    if pred.qualifier == "keyword":
        low = sent.text[cs:ce].lower()
        for word, value in pred.qualifiers:
            if word in low:
                return value
        return None
    if pred.qualifier == "country":
        for lo, hi in ((cs, ce), (sent.start, sent.end)):
            for x in sent.mentions:
                if x["type"] == "country" and lo <= x["start"] and x["end"] <= hi \
                        and _COUNTRY_MARK.search(sent.text[max(lo, x["start"] - 4):x["start"]]):
                    return x["id"]
        if _CHINA.search(sent.text, sent.start, sent.end):
            return "china"
    return None
