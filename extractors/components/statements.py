"""spaCy component `tw_statements`: who does what to whom, into doc._.statements.

Reads sentences and gazetteer mentions from the doc, the claims of tw_claims (a statement lists
the claims inside its clause) and the language from doc._.meta. A sentence it cannot read yields
nothing; the doc never fails.
"""
from __future__ import annotations

import logging

from spacy.language import Language
from spacy.tokens import Doc

from extractors.predicates import cue_regex
from extractors.statements import find_statements

log = logging.getLogger(__name__)

if not Doc.has_extension("statements"):
    Doc.set_extension("statements", default=None)
if not Doc.has_extension("meta"):
    Doc.set_extension("meta", default=None)


@Language.factory("tw_statements")
def make_statements(nlp: Language, name: str) -> StatementFinder:
    return StatementFinder(nlp)


class StatementFinder:
    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._parents: dict[str, str] | None = None
        cue_regex("zh"), cue_regex("en")  # a mistake in predicates.yaml stops the pipeline here, not each doc

    @property
    def parents(self) -> dict[str, str]:
        """Entity id -> maker, from the pipeline's gazetteer component (who launches a product)."""
        if self._parents is None:
            ents = self.nlp.get_pipe("tw_entities").entities if "tw_entities" in self.nlp.pipe_names else []
            self._parents = {e.id: e.parent for e in ents if e.parent}
        return self._parents

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.meta or {}
        mentions = doc.user_data.get("tw_mentions")
        if mentions is None:  # a pipeline whose entities come from elsewhere
            mentions = [{"start": e.start_char, "end": e.end_char, "id": e.ent_id_, "type": e.label_.lower()}
                        for e in doc.ents if e.ent_id_]
        sentences = doc.user_data.get("tw_sentences") or [(s.start_char, s.end_char) for s in doc.sents]
        lang = meta.get("lang") or doc.lang_
        try:
            doc._.statements = find_statements(doc.user_data.get("tw_text") or doc.text, sentences, mentions,
                                               doc._.claims or [] if Doc.has_extension("claims") else [], lang,
                                               self.parents)
        except Exception:  # find_statements guards each sentence; this is the last line of defence
            log.warning("statements: skipped a document", exc_info=True)
            doc._.statements = []
        return doc
