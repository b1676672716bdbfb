"""Extraction that one article cannot sink: a batch that fails is retried article by article,
and an article that still fails is returned with its reason instead of its claims.

MemoryError and RecursionError are Exceptions too: a sentence that blows up the rules is
caught like any other failure. Used by the flow's extraction task, in process and on Dask.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def extract_isolated(extractor, batch: list[dict]) -> list[dict]:
    """Loader rows for `batch`; a failing article gets {"error": reason} and no claims."""
    try:
        return extractor.extract_records(batch)
    except Exception:
        log.warning("extraction of a batch of %d failed; retrying article by article", len(batch))
    rows = []
    for record in batch:
        try:
            rows += extractor.extract_records([record])
        except Exception as e:
            reason = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else 'no message'}"
            log.warning("article %s could not be extracted (%s); skipped until the extractor changes",
                        record["article_id"], reason)
            rows.append({"article_id": record["article_id"], "mentions": [], "claims": [],
                         "error": f"extraction failed: {reason}"})
    return rows
