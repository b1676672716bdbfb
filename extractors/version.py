"""The extractor's version: bump it when extraction output changes, then `thesiswatch reextract`.

Kept in its own module so the flow can check for pending work without importing spaCy.
"""
EXTRACTOR_VERSION = "2026.12.02-4"  # budgets: long runs cut, sentences bounded, claims capped
