"""Text in, entities and claims out: the spaCy pipelines assembled from zh.cfg / en.cfg.

Chinese text is folded to Simplified (same length) before it reaches spaCy, so every offset a
component reports indexes the original text, and quotes are cut from the original.
A user with a trained spaCy pipeline sets `extract.model`; our components are added to it.
"""
from __future__ import annotations

import functools
import gc
import logging
from datetime import date, datetime
from pathlib import Path

import spacy
from spacy.language import Language

import extractors.components.claims  # noqa: F401  (registers tw_claims)
import extractors.components.entities  # noqa: F401  (registers tw_entities)
import extractors.components.sentences  # noqa: F401  (registers tw_sentences)
from extractors.fold import detect_lang, to_simplified
from extractors.metrics import metric_vocabulary  # noqa: F401  (re-exported for the flow)

logging.getLogger("jieba").setLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users
from extractors.version import EXTRACTOR_VERSION  # noqa: E402,F401

HERE = Path(__file__).parent
MAX_CHARS = 200_000  # far beyond any news story; longer texts are read up to here
_WIDTH = {c: chr(ord(c) - 0xFEE0) for c in map(chr, range(0xFF01, 0xFF5F))}
_WIDTH["\u3000"] = " "
_WIDTH_TABLE = str.maketrans(_WIDTH)


def fold(text: str) -> str:
    """Simplified script and half-width ASCII, same length as the input."""
    return to_simplified(text).translate(_WIDTH_TABLE)


def build_nlp(lang: str, extra_files: tuple[str, ...] = (), model: str | None = None) -> Language:
    """A pipeline for 'zh' or 'en' from our config, or a trained `model` with our components added."""
    if model:
        nlp = spacy.load(model)
        for name in ("tw_sentences", "tw_entities", "tw_claims"):
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
        """[{text, lang?, published_at?, locale?}] -> [{entities, claims, lang}] in the same order."""
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
                folded = fold(text) if key == "zh" else text
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
        return [{"article_id": r["article_id"], "mentions": res["entities"], "claims": res["claims"]}
                for r, res in zip(records, results, strict=True)]


def _result(doc, original: str) -> dict:
    found = doc.user_data.get("tw_mentions")
    if found is None:
        found = [{"id": e.ent_id_ or e.kb_id_, "type": e.label_.lower(), "start": e.start_char, "end": e.end_char}
                 for e in doc.ents if (e.ent_id_ or e.kb_id_)]
    ents = [{"id": m["id"], "type": m["type"], "text": original[m["start"]:m["end"]], "start": m["start"],
             "end": m["end"]} for m in found]
    claims = []
    for c in doc._.claims or []:
        claims.append({
            "value": c["value"], "unit": c["unit"], "low": c["low"], "high": c["high"],
            "qualifier": c["qualifier"], "previous_value": c["previous_value"], "precision": c["precision"],
            "subject": c["subject"], "metric": c["metric"], "period": c["period"],
            "quote": original[c["start"]:c["end"]],
            "sentence": original[c["sentence_start"]:c["sentence_end"]].strip(),
            "start": c["start"], "end": c["end"],
        })
    return {"entities": ents, "claims": claims, "lang": (doc._.meta or {}).get("lang")}


@functools.lru_cache(maxsize=4)
def get_extractor(model: str | None = None, extra_files: tuple[str, ...] = ()) -> Extractor:
    return Extractor(model, extra_files)
