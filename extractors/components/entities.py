"""spaCy component `tw_entities`: gazetteer mentions as doc.ents with the canonical id in ent_id_.

Matching runs on the doc's (folded) tokens with a PhraseMatcher on LOWER, so Latin names match
case-insensitively and Traditional names match through their Simplified fold.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.gazetteer import alias_patterns, load_entities, surface_forms


@Language.factory("tw_entities", default_config={"extra_files": []})
def make_entities(nlp: Language, name: str, extra_files: list[str]) -> EntityMatcher:
    return EntityMatcher(nlp, tuple(extra_files))


class EntityMatcher:
    def __init__(self, nlp: Language, extra_files: tuple[str, ...]):
        self.entities = load_entities(extra_files)
        self.types = {e.id: e.type for e in self.entities}
        self.attributes = {e.id: e.attributes() for e in self.entities if e.attributes()}
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")  # ON, HP, GM: only in capitals
        triples = alias_patterns(self.entities)
        _teach_segmenter(nlp, surface_forms(self.entities))
        groups: dict[tuple[str, bool], list[str]] = {}
        for alias, eid, exact in triples:
            groups.setdefault((eid, exact), []).append(alias)
        for (eid, exact), aliases in groups.items():
            (self.exact if exact else self.matcher).add(eid, list(nlp.tokenizer.pipe(aliases)))

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in [*self.matcher(doc), *self.exact(doc)]:
            eid = doc.vocab.strings[match_id]
            spans.append(Span(doc, start, end, label=self.types[eid].upper(), kb_id=eid, span_id=eid))
        ents = filter_spans(spans)  # longest wins: "Evercore ISI" over "Evercore"
        doc.ents = ents
        # Plain offsets for the claims component and the result: reading doc.ents walks every token.
        # architecture / tier / medium ride along only where the entity has them.
        attributes = self.attributes
        doc.user_data["tw_mentions"] = [
            {"start": s.start_char, "end": s.end_char, "id": s.kb_id_, "type": s.label_.lower(),
             **({"attributes": attributes[s.kb_id_]} if s.kb_id_ in attributes else {})}
            for s in sorted(ents, key=lambda x: x.start_char)]
        return doc


def _teach_segmenter(nlp: Language, aliases: list[str]) -> None:
    """Give jieba our Chinese names (and upper-case Latin ones) so it never splits them.

    Only when the pipeline segments with jieba; a trained pipeline keeps its own tokenizer.
    """
    if getattr(nlp.tokenizer, "segmenter", None) != "jieba":
        return
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not for users
    # A segmenter of this pipeline's own: words added to jieba's global one would leak into every
    # other pipeline of the process (a user's extra entity file changing the next pipeline's cuts).
    seg = jieba.Tokenizer()
    nlp.tokenizer.jieba_seg = seg
    for a in aliases:
        if " " in a:
            continue
        if not a.isascii():
            seg.add_word(a, freq=200000)
        elif len(a) >= 3 and a.isalnum():
            for form in ({a} if a.isupper() else {a, a.lower(), a.upper(), a.capitalize()}):
                seg.add_word(form, freq=200000)
