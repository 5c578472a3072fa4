"""Decide what a file really is and refuse dangerous containers before any parser sees them."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from .grid import Limits, UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_NOT_SPREADSHEET = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"{\\rtf": "RTF",
    b"GIF8": "GIF",
}
_CHUNK = 1 << 16
_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_UTF16_DTD = re.compile(r"<!\s*(?:doctype|entity)", re.IGNORECASE)


def _has_dtd(data: bytes) -> bool:
    """A DTD in XML bytes, whether UTF-8 or UTF-16 (with or without BOM)."""
    if b"<!" in data and _DTD.search(data):  # a plain scan first: most parts have no "<!" at all
        return True
    head = data[:4]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) == 4 and (head[0] == 0 or head[1] == 0)):
        # with a BOM "utf-16" reads it; without one, either byte order may be the right one
        return any(_UTF16_DTD.search(data.decode(codec, "ignore")) for codec in ("utf-16", "utf-16-le", "utf-16-be"))
    return False


def sniff_format(path: Path, head: bytes) -> str:
    """The container format from the first bytes, whatever the extension says."""
    if not head:
        raise UnreadableFile("empty", "0 bytes")
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(ZIP_MAGIC) or head.startswith(_EMPTY_ZIP):
        return "zip"
    for magic, name in _NOT_SPREADSHEET.items():
        if head.startswith(magic):
            raise UnreadableFile("not_spreadsheet", name)
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table")):
        raise UnreadableFile("not_spreadsheet", "HTML")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("not_spreadsheet", f"binary ({path.suffix or 'no extension'})")
    return "text"


def ole_kind(path: Path) -> str:
    """'xls', or raise for an encrypted Office file (OOXML or BIFF)."""
    try:
        import msoffcrypto

        with path.open("rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            encrypted = office.is_encrypted()
            kind = type(office).__name__
    except UnreadableFile:
        raise
    except Exception as exc:  # a damaged compound file
        raise UnreadableFile("corrupt", f"OLE2: {exc.__class__.__name__}") from None
    if encrypted:
        raise UnreadableFile("encrypted", kind)
    if kind == "OOXMLFile":  # an OOXML package wrapped in OLE but not encrypted: unusual
        raise UnreadableFile("encrypted", kind)
    if kind not in ("Xls97File",):
        raise UnreadableFile("not_spreadsheet", kind.replace("File", ""))
    return "xls"


class SafeZip:
    """A zip whose members are read with hard limits and no XML DTDs allowed."""

    def __init__(self, path: Path, limits: Limits):
        self.limits = limits
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise UnreadableFile("corrupt", f"zip: {exc}") from None
        if len(infos) > limits.max_zip_entries:
            raise UnreadableFile("zip_bomb", f"{len(infos)} entries", f"<= {limits.max_zip_entries}")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_uncompressed_bytes:
            raise UnreadableFile(
                "zip_bomb", f"{declared} bytes uncompressed", f"<= {limits.max_uncompressed_bytes}"
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1_000_000 and ratio > limits.max_compression_ratio:
                raise UnreadableFile(
                    "zip_bomb", f"{info.filename}: ratio {ratio:.0f}", f"<= {limits.max_compression_ratio:.0f}"
                )
            if info.flag_bits & 0x1:
                raise UnreadableFile("encrypted", f"zip member {info.filename}")
        self.names = {i.filename for i in infos}
        self._budget = limits.max_uncompressed_bytes
        self._read: dict[str, bytes] = {}

    def read(self, name: str, xml: bool = True) -> bytes:
        """A member's bytes, decompressed under the size budget (once); XML with a DTD is refused."""
        if name in self._read:
            return self._read[name]
        out = io.BytesIO()
        try:
            with self.zf.open(name) as fh:
                while chunk := fh.read(_CHUNK):
                    out.write(chunk)
                    self._budget -= len(chunk)
                    if self._budget < 0:
                        raise UnreadableFile(
                            "zip_bomb", f"{name}: more than declared", f"<= {self.limits.max_uncompressed_bytes}"
                        )
        except UnreadableFile:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UnreadableFile("corrupt", f"{name}: {exc}") from None
        data = out.getvalue()
        if xml and _has_dtd(data):  # markup text in cells is escaped (&lt;), so a hit is a real DTD
            raise UnreadableFile("xml_entities", name)
        self._read[name] = data
        return data

    def check_all_xml(self) -> None:
        """Decompress every member once: bombs and DTDs anywhere are refused before parsing."""
        for name in sorted(self.names):
            self.read(name, xml=name.endswith((".xml", ".rels", ".vml")))

    def close(self) -> None:
        self.zf.close()


def zip_kind(szip: SafeZip) -> str:
    """xlsx / xlsm / ods, or raise for any other zip (docx, pptx, plain archive)."""
    if "mimetype" in szip.names:
        mime = szip.read("mimetype", xml=False).strip()
        if mime == b"application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        raise UnreadableFile("not_spreadsheet", mime.decode("ascii", "replace")[:80])
    if "[Content_Types].xml" not in szip.names:
        if not szip.names:
            raise UnreadableFile("no_sheets", "empty zip")
        raise UnreadableFile("not_spreadsheet", "zip archive")
    types = szip.read("[Content_Types].xml")
    if b"spreadsheetml" not in types and b"ms-excel" not in types:
        if b"wordprocessingml" in types:
            raise UnreadableFile("not_spreadsheet", "Word (.docx)")
        if b"presentationml" in types:
            raise UnreadableFile("not_spreadsheet", "PowerPoint (.pptx)")
        raise UnreadableFile("not_spreadsheet", "OOXML")
    return "xlsm" if b"macroEnabled" in types else "xlsx"
