"""Baking: an Open Badges 3.0 credential carried inside its PNG badge image. Pure.

Open Badges 3.0 ("Baked Badge", PNG): one uncompressed iTXt chunk with the keyword
`openbadgecredential` whose text is the compact JWS of a VC-JWT credential (or the credential's JSON
when it has an embedded proof). A PNG holds at most one such chunk: baking replaces any earlier one.
"""
from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"


class NotAPng(ValueError):
    """Bytes that are not a PNG datastream (or are cut short)."""


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(SIGNATURE):
        raise NotAPng("not a PNG image")
    chunks, at = [], len(SIGNATURE)
    while at < len(png):
        if at + 8 > len(png):
            raise NotAPng("the PNG image is cut short")
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        data = png[at + 8:at + 8 + length]
        if len(data) != length or at + 12 + length > len(png):
            raise NotAPng("the PNG image is cut short")
        chunks.append((kind, data))
        at += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR":
        raise NotAPng("the PNG image has no header")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _is_credential(kind: bytes, data: bytes) -> bool:
    return kind == b"iTXt" and data.split(b"\0", 1)[0] == KEYWORD


def bake(png: bytes, text: str) -> bytes:
    """The image with `text` in its openbadgecredential iTXt chunk, placed right after the header
    (so a reader finds it without reading the pixels); uncompressed, no language tag."""
    chunk = _chunk(b"iTXt", KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + text.encode("utf-8"))
    out = [SIGNATURE]
    for kind, data in _chunks(png):
        if _is_credential(kind, data):
            continue
        out.append(_chunk(kind, data))
        if kind == b"IHDR":
            out.append(chunk)
    return b"".join(out)


def extract(png: bytes) -> str | None:
    """The text of the first openbadgecredential iTXt chunk (decompressed if a baker compressed it),
    or None if the image carries none. NotAPng if the bytes are no PNG."""
    for kind, data in _chunks(png):
        if not _is_credential(kind, data):
            continue
        rest = data[len(KEYWORD) + 1:]
        if len(rest) < 2:
            return None
        compressed, rest = rest[0], rest[2:]
        _language, _, rest = rest.partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        try:
            return (zlib.decompress(text) if compressed else text).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            return None
    return None
