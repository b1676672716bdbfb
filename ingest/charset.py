"""Turn bytes into text when HTTP headers and XML/HTML declarations may lie.

Chinese feeds often declare UTF-8 while serving Big5 or GBK. We trust, in order: a BOM, the
declared charsets that decode cleanly, then detection (chardet), and finally UTF-8 with
replacement characters so that nothing crashes.
"""
from __future__ import annotations

import codecs
import re

import chardet

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.I)
# Legacy names map to their supersets: a GBK/GB2312 label usually means GB18030 bytes.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "shift_jis": "cp932",
              "sjis": "cp932", "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "utf-8"}


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    try:
        name = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def header_charset(content_type: str | None) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", content_type or "", re.I)
    return _norm(m.group(1)) if m else None


def declared_charset(body: bytes) -> str | None:
    head = body[:2048]
    m = _XML_DECL.match(head) or _META.search(head)
    return _norm(m.group(1).decode("ascii", "ignore")) if m else None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Never raises on bad bytes."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(enc, errors="replace"), enc
    labels = [enc for enc in (header_charset(content_type), declared_charset(body))
              if enc and not enc.startswith(("utf-16", "utf-32"))]  # without a BOM those labels lie
    for enc in labels:
        try:
            return body.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue  # the label lies; detect below
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if not labels or labels[0] == "utf-8":
        # Mostly UTF-8 with a stray bad byte: keep it UTF-8 rather than let a detector guess.
        text = body.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= max(3, len(text) // 1000):
            return text, "utf-8"
    guess = _norm((chardet.detect(body[:200_000]) or {}).get("encoding"))
    for enc in (guess, "gb18030", "big5hkscs"):
        if enc:
            try:
                return body.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                continue
    return body.decode("utf-8", errors="replace"), "utf-8"
