"""spaCy component `tw_claims`: numeric claims of a doc into doc._.claims.

Reads sentences and gazetteer mentions from the doc, and the article's date, language and
locale from doc._.meta. A sentence it cannot read yields nothing; the doc never fails.
"""
from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc

from extractors.claims import find_claims

log = logging.getLogger(__name__)

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)
if not Doc.has_extension("meta"):
    Doc.set_extension("meta", default=None)


@Language.factory("tw_claims")
def make_claims(nlp: Language, name: str) -> "ClaimFinder":
    return ClaimFinder()


class ClaimFinder:
    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.meta or {}
        mentions = [{"start": e.start_char, "end": e.end_char, "id": e.ent_id_ or e.kb_id_, "type": e.label_.lower()}
                     for e in doc.ents if (e.ent_id_ or e.kb_id_)]
        claims = []
        for sent in doc.sents:
            try:
                claims += find_claims(doc.text, [(sent.start_char, sent.end_char)], mentions,
                                      meta.get("published"), meta.get("lang"), meta.get("locale"))
            except Exception:  # one unreadable sentence must not lose the rest of the document
                log.debug("claims: skipped a sentence at %d", sent.start_char, exc_info=True)
        doc._.claims = claims
        return doc
