"""The extractor's version: bump it when extraction output changes, then `thesiswatch reextract`.

Kept in its own module so the flow can check for pending work without importing spaCy.
"""
EXTRACTOR_VERSION = "2026.12.02-5"  # metric vocabulary (20 metrics), passive agents as text
