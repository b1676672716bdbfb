"""Read the pixels of a PNG with the standard library (zlib), for screenshot checks in tests.

Handles what Chromium writes: 8-bit RGB or RGBA, not interlaced, all five row filters.
"""
from __future__ import annotations

import struct
import zlib
from collections import Counter
from pathlib import Path


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> list[bytearray]:
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, prev[i - bpp] if i >= bpp else 0)) & 0xFF
        rows.append(line)
        prev = line
    return rows


def colours(path: Path, step: int = 2) -> tuple[int, int, Counter]:
    """(width, height, Counter of (r, g, b)) over every `step`-th pixel of every `step`-th row."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    at, idat, header = 8, bytearray(), None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and not interlace, f"unsupported PNG {header}"
    bpp = 3 if colour_type == 2 else 4
    rows = _unfilter(zlib.decompress(bytes(idat)), width, height, bpp)
    seen: Counter = Counter()
    for row in rows[::step]:
        for x in range(0, width * bpp, bpp * step):
            seen[(row[x], row[x + 1], row[x + 2])] += 1
    return width, height, seen
