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
def make_claims(nlp: Language, name: str) -> ClaimFinder:
    return ClaimFinder(nlp)


class ClaimFinder:
    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._roles: dict[str, str] | None = None

    @property
    def roles(self) -> dict[str, str]:
        """Entity roles (source, indicator) from the pipeline's gazetteer component."""
        if self._roles is None:
            ents = self.nlp.get_pipe("tw_entities").entities if "tw_entities" in self.nlp.pipe_names else []
            self._roles = {e.id: e.role for e in ents if e.role}
        return self._roles

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.meta or {}
        roles = self.roles
        found = doc.user_data.get("tw_mentions")
        if found is None:  # a pipeline whose entities come from elsewhere
            found = [{"start": e.start_char, "end": e.end_char, "id": e.ent_id_, "type": e.label_.lower()}
                     for e in doc.ents if e.ent_id_]
        mentions = [{**m, "role": roles.get(m["id"])} for m in found]
        sentences = doc.user_data.get("tw_sentences") or [(s.start_char, s.end_char) for s in doc.sents]
        try:
            doc._.claims = find_claims(doc.user_data.get("tw_text") or doc.text, sentences, mentions,
                                       meta.get("published"), meta.get("lang"), meta.get("locale"))
        except Exception:  # find_claims guards each sentence; this is the last line of defence
            log.warning("claims: skipped a document", exc_info=True)
            doc._.claims = []
        return doc
