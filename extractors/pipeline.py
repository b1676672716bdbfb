"""Text in, entities, claims and statements out: the spaCy pipelines assembled from zh.cfg / en.cfg.

Chinese text is folded to Simplified (same length) before it reaches spaCy, so every offset a
component reports indexes the original text, and quotes are cut from the original.
A user with a trained spaCy pipeline sets `extract.model`; our components are added to it.
"""
from __future__ import annotations

import functools
import gc
import logging
import math
import re
from datetime import date, datetime
from pathlib import Path

import spacy
from spacy.language import Language

import extractors.components.claims  # noqa: F401  (registers tw_claims)
import extractors.components.entities  # noqa: F401  (registers tw_entities)
import extractors.components.sentences  # noqa: F401  (registers tw_sentences)
import extractors.components.statements  # noqa: F401  (registers tw_statements)
from common.exceptions import TerminalException, ThesiswatchError
from extractors.fold import detect_lang, to_simplified
from extractors.metrics import metric_vocabulary  # noqa: F401  (re-exported for the flow)

logging.getLogger("jieba").setLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users
from extractors.version import EXTRACTOR_VERSION  # noqa: E402,F401

HERE = Path(__file__).parent
MAX_CHARS = 200_000  # far beyond any news story; longer texts are read up to here
MAX_CLAIMS = 3_000  # claims in one article; past it the article is over budget, not read
EXCERPT = 300  # characters of a claim's sentence kept on each side of its number
RUN = 64  # a run of symbols, digits or Latin letters without a space is cut every RUN characters
# Runs without a space or a CJK letter: spaCy's tokenizer and the number rules slow down sharply on
# them (10k "(" took 9 s, 200k digits 196 s), and no word or number of a real text is that long.
_LONG_RUN = re.compile(r"[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{" + str(RUN + 1) + ",}")
_WIDTH = {c: chr(ord(c) - 0xFEE0) for c in map(chr, range(0xFF01, 0xFF5F))}
_WIDTH["\u3000"] = " "
_WIDTH_TABLE = str.maketrans(_WIDTH)


class ExtractionBudget(ThesiswatchError, TerminalException):
    """An article holds more than an article's share of claims: recorded and skipped, not read."""


def defuse(text: str) -> str:
    r"""The same text, same length, with every run longer than RUN characters that has no space
    and no CJK letter broken by a newline every RUN characters (quotes still come from the
    original text, which keeps them).

    >>> defuse("(" * 70 + "x") == "(" * 63 + "\n" + "(" * 6 + "x"
    True
    """
    if not _LONG_RUN.search(text):
        return text
    def cut(m: re.Match) -> str:
        run = m.group()
        return "".join(run[i:i + RUN - 1] + ("\n" if i + RUN - 1 < len(run) else "")
                       for i in range(0, len(run), RUN))[:len(run)]
    return _LONG_RUN.sub(cut, text)


def fold(text: str) -> str:
    """Simplified script and half-width ASCII, same length as the input."""
    return to_simplified(text).translate(_WIDTH_TABLE)


def build_nlp(lang: str, extra_files: tuple[str, ...] = (), model: str | None = None) -> Language:
    """A pipeline for 'zh' or 'en' from our config, or a trained `model` with our components added."""
    if model:
        nlp = spacy.load(model)
        for name in ("tw_sentences", "tw_entities", "tw_claims", "tw_statements"):
            if name in nlp.pipe_names:
                continue
            if name == "tw_sentences" and ("parser" in nlp.pipe_names or "senter" in nlp.pipe_names):
                continue  # a trained parser already sets sentences
            cfg = {"extra_files": list(extra_files)} if name == "tw_entities" else {}
            nlp.add_pipe(name, config=cfg)
        return nlp
    if lang == "zh":
        import jieba
        jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users
    config = spacy.util.load_config(HERE / f"{lang}.cfg")
    config["components"]["tw_entities"]["extra_files"] = list(extra_files)
    return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


class Extractor:
    def __init__(self, model: str | None = None, extra_files: tuple[str, ...] = ()):
        self.model = model
        self.extra_files = extra_files
        self._nlp: dict[str, Language] = {}

    def nlp(self, lang: str) -> Language:
        """The pipeline for a language: the user's trained model where it is that language."""
        key = "en" if lang == "en" else "zh"
        if key not in self._nlp:
            if self.model and "model" not in self._nlp:
                self._nlp["model"] = build_nlp("", self.extra_files, self.model)
            trained = self._nlp.get("model")
            use_trained = trained is not None and trained.lang == key
            self._nlp[key] = trained if use_trained else build_nlp(key, self.extra_files)
        return self._nlp[key]

    @property
    def entities(self) -> list[dict]:
        ruler = self.nlp("en").get_pipe("tw_entities")
        return [e.model_dump() for e in ruler.entities]

    def extract(self, text: str, lang: str | None = None, published: date | datetime | None = None,
                locale: str | None = None) -> dict:
        return self.extract_many([{"text": text, "lang": lang, "published_at": published, "locale": locale}])[0]

    def extract_many(self, records: list[dict], batch_size: int = 64) -> list[dict]:
        """[{text, lang?, published_at?, locale?}] -> [{entities, claims, statements, lang}] in the same order."""
        # The cyclic garbage collector walks every live object again and again while millions of
        # small token and match objects are made; none of them form cycles, so pause it here.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._extract_many(records, batch_size)
        finally:
            if enabled:
                gc.enable()

    def _extract_many(self, records: list[dict], batch_size: int) -> list[dict]:
        out: list[dict | None] = [None] * len(records)
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(records):
            lang = r.get("lang") or detect_lang(r["text"])
            groups.setdefault("en" if lang == "en" else "zh", []).append(i)
        for key, idx in groups.items():
            nlp = self.nlp(key)
            metas = []
            for i in idx:
                r = records[i]
                pub = r.get("published_at")
                pub = pub.date() if isinstance(pub, datetime) else pub
                metas.append({"published": pub, "lang": r.get("lang") or detect_lang(r["text"]),
                              "locale": r.get("locale")})
            docs = []
            for i, meta in zip(idx, metas, strict=True):
                # A 10 MB page must not stop the batch: read the first MAX_CHARS characters only
                # (offsets stay valid, they all lie inside the kept prefix).
                text = records[i]["text"][:min(MAX_CHARS, nlp.max_length)]
                folded = defuse(fold(text) if key == "zh" else text)
                doc = nlp.make_doc(folded)
                doc._.meta = meta  # the claims component reads the article's date and locale here
                doc.user_data["tw_text"] = folded  # doc.text re-joins every token on each call
                docs.append(doc)
            for i, doc in zip(idx, nlp.pipe(docs, batch_size=batch_size), strict=True):
                out[i] = _result(doc, records[i]["text"])
        return out

    def extract_records(self, records: list[dict]) -> list[dict]:
        """For the flow: [{article_id, text, lang, locale, published_at}] -> loader rows."""
        results = self.extract_many(records)
        return [{"article_id": r["article_id"], "mentions": res["entities"], "claims": res["claims"],
                 "statements": res["statements"]}
                for r, res in zip(records, results, strict=True)]


def _result(doc, original: str) -> dict:
    found = doc.user_data.get("tw_mentions")
    if found is None:
        found = [{"id": e.ent_id_ or e.kb_id_, "type": e.label_.lower(), "start": e.start_char, "end": e.end_char}
                 for e in doc.ents if (e.ent_id_ or e.kb_id_)]
    ents = [{"id": m["id"], "type": m["type"], "text": original[m["start"]:m["end"]], "start": m["start"],
             "end": m["end"], "attributes": dict(m.get("attributes") or {})} for m in found]
    found_claims = doc._.claims or []
    if len(found_claims) > MAX_CLAIMS:
        raise ExtractionBudget(f"{len(found_claims)} claims in one article, over the budget of {MAX_CLAIMS}")
    claims = []
    for c in found_claims:
        if not _finite(c):
            continue  # a 400-digit number is no claim, and no inf reaches the warehouse
        ss, se = max(c["sentence_start"], c["start"] - EXCERPT), min(c["sentence_end"], c["end"] + EXCERPT)
        claims.append({
            "value": c["value"], "unit": c["unit"], "low": c["low"], "high": c["high"],
            "qualifier": c["qualifier"], "previous_value": c["previous_value"], "precision": c["precision"],
            "subject": c["subject"], "metric": c["metric"], "period": c["period"],
            "versus": c.get("versus"), "benchmark": c.get("benchmark"), "subject_text": c.get("subject_text"),
            "quote": original[c["start"]:c["end"]],
            "sentence": original[ss:se].strip(),
            "start": c["start"], "end": c["end"],
        })
    statements = [_statement(s, original) for s in doc._.statements or []]
    return {"entities": ents, "claims": claims, "statements": statements, "lang": (doc._.meta or {}).get("lang")}


def _finite(c: dict) -> bool:
    return all(v is None or math.isfinite(v) for v in (c["value"], c["low"], c["high"], c["previous_value"]))


def _statement(s: dict, original: str) -> dict:
    """A statement with its quote, sentence and unnamed subject/object cut from the original text."""
    def cut(span):
        return original[span[0]:span[1]].strip() if span else None
    return {
        "subject": s["subject"], "subject_text": cut(s["subject_span"]), "predicate": s["predicate"],
        "object": s["object"], "object_text": cut(s["object_span"]), "qualifier": s["qualifier"],
        "polarity": s["polarity"], "modality": s["modality"],
        "quote": original[s["start"]:s["end"]], "start": s["start"], "end": s["end"],
        "sentence": original[s["sentence_start"]:s["sentence_end"]],
        "sentence_start": s["sentence_start"], "sentence_end": s["sentence_end"], "claims": s["claims"],
    }


@functools.lru_cache(maxsize=4)
def get_extractor(model: str | None = None, extra_files: tuple[str, ...] = ()) -> Extractor:
    return Extractor(model, extra_files)
