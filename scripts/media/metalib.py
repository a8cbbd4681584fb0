"""Writers for the embedded photo metadata that receivers' tools read: EXIF (TIFF IFDs), XMP packets,
IPTC IIM inside a Photoshop 3.0 image resource block, ICC profiles, and the JPEG / PNG / WebP
containers that carry them. Byte layouts are packed by hand (struct) so that the scripts control every
field, including the malformed ones that scripts/media/make_fixtures.py needs.

Shared by make_samples.py and make_fixtures.py (run with Python 3.11 and Pillow; see those scripts).

References followed (the field numbers below are taken from these specifications):
- EXIF 2.32 / TIFF 6.0: IFD layout, tag numbers, types (ASCII 2, SHORT 3, LONG 4, RATIONAL 5, ...).
- IPTC IIM 4.2: datasets 1:90 coded character set, 2:xx application record; Photoshop image resource
  0x0404 (IPTC-NAA) and 0x0425 (IPTC digest, MD5 of the IIM block) in APP13 "Photoshop 3.0".
- XMP (ISO 16684-1) in JPEG APP1 "http://ns.adobe.com/xap/1.0/\\0", PNG iTXt "XML:com.adobe.xmp",
  WebP "XMP " chunk; IPTC Photo Metadata Standard property names.
- ICC.1:2022 (profile version 4.3): header, tag table, mluc / XYZ / sf32 / para tag types.
"""
from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

# A fixed modification time for every file written (2026-12-01T00:00:00Z), so a listing is the same on
# every run; git does not keep it, but archives made from the folder do.
FIXED_MTIME = 1796083200

AGENCY = "Agencia Nacional de Noticias de Valdoria"
COPYRIGHT = "© 2026 Agencia Nacional de Noticias de Valdoria (ANV)"
USAGE_TERMS = "Reproduction permitted with attribution."
DIGITAL_SOURCE_ALGORITHMIC = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"
SOFTWARE = "wirefeed scripts/media"


# ---------------------------------------------------------------------------------------------------
# The metadata of one picture
# ---------------------------------------------------------------------------------------------------
@dataclass
class PhotoMeta:
    """What one picture says about itself; every writer below reads from this."""

    title: str
    caption: dict[str, str]  # language -> caption; the first key is the x-default one
    alt_text: dict[str, str]
    byline: str
    credit: str
    copyright: str = COPYRIGHT
    usage_terms: str = USAGE_TERMS
    created: datetime | None = None  # aware datetime
    city: str = ""
    country: str = ""
    keywords: list[str] = field(default_factory=list)
    source: str = "ANV"

    @property
    def language(self) -> str:
        return next(iter(self.caption))

    @property
    def default_caption(self) -> str:
        return self.caption[self.language]


# ---------------------------------------------------------------------------------------------------
# EXIF: TIFF structures
# ---------------------------------------------------------------------------------------------------
BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SRATIONAL = 1, 2, 3, 4, 5, 7, 10
_TYPE_SIZE = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1, SRATIONAL: 8}

# Pointer tags whose value is the offset of another IFD or of the thumbnail; filled in by pack_tiff.
EXIF_IFD_POINTER = 0x8769
GPS_IFD_POINTER = 0x8825
THUMB_OFFSET = 0x0201
THUMB_LENGTH = 0x0202


def _encode_value(endian: str, typ: int, value) -> tuple[int, bytes]:
    """(count, bytes) of one IFD entry's value."""
    if typ == ASCII:
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        raw += b"\0"
        return len(raw), raw
    if typ in (BYTE, UNDEFINED):
        raw = bytes(value)
        return len(raw), raw
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if typ == SHORT:
        return len(values), struct.pack(f"{endian}{len(values)}H", *values)
    if typ == LONG:
        return len(values), struct.pack(f"{endian}{len(values)}I", *values)
    if typ in (RATIONAL, SRATIONAL):
        fmt = "I" if typ == RATIONAL else "i"
        out = b"".join(struct.pack(f"{endian}{fmt}{fmt}", n, d) for n, d in values)
        return len(values), out
    raise ValueError(f"type {typ}")


def pack_tiff(
    ifd0: list[tuple[int, int, object]],
    exif: list[tuple[int, int, object]] | None = None,
    gps: list[tuple[int, int, object]] | None = None,
    ifd1: list[tuple[int, int, object]] | None = None,
    thumbnail: bytes | None = None,
    big_endian: bool = False,
) -> bytes:
    """A TIFF structure (the body of an EXIF APP1 after "Exif\\0\\0"): IFD0 with pointers to the Exif and
    GPS IFDs, optionally IFD1 with a JPEG thumbnail. Entries are (tag, type, value) and are sorted here."""
    e = ">" if big_endian else "<"
    ifd0 = list(ifd0)
    if exif is not None:
        ifd0.append((EXIF_IFD_POINTER, LONG, 0))
    if gps is not None:
        ifd0.append((GPS_IFD_POINTER, LONG, 0))
    ifd1 = list(ifd1) if ifd1 is not None else None
    if ifd1 is not None and thumbnail is not None:
        ifd1 += [(THUMB_OFFSET, LONG, 0), (THUMB_LENGTH, LONG, len(thumbnail))]

    order = [("ifd0", ifd0), ("exif", exif), ("gps", gps), ("ifd1", ifd1)]
    order = [(n, sorted(entries, key=lambda t: t[0])) for n, entries in order if entries is not None]

    def size_of(entries):
        extra = 0
        for _tag, typ, val in entries:
            _count, raw = _encode_value(e, typ, val)
            if len(raw) > 4:
                extra += len(raw) + (len(raw) & 1)
        return 2 + 12 * len(entries) + 4 + extra

    offsets = {}
    pos = 8
    for name, entries in order:
        offsets[name] = pos
        pos += size_of(entries)
    thumb_at = pos if thumbnail is not None else 0
    pointer_values = {
        EXIF_IFD_POINTER: offsets.get("exif", 0),
        GPS_IFD_POINTER: offsets.get("gps", 0),
        THUMB_OFFSET: thumb_at,
    }

    out = bytearray(b"MM\0*" if big_endian else b"II*\0")
    out += struct.pack(f"{e}I", 8)
    for name, entries in order:
        assert len(out) == offsets[name]
        data_at = offsets[name] + 2 + 12 * len(entries) + 4
        table = bytearray(struct.pack(f"{e}H", len(entries)))
        data = bytearray()
        for tag, typ, val in entries:
            if tag in pointer_values and typ == LONG and val == 0:
                val = pointer_values[tag]
            count, raw = _encode_value(e, typ, val)
            if len(raw) <= 4:
                field_bytes = raw.ljust(4, b"\0")
            else:
                field_bytes = struct.pack(f"{e}I", data_at + len(data))
                data += raw
                if len(raw) & 1:
                    data += b"\0"
            table += struct.pack(f"{e}HHI", tag, typ, count) + field_bytes
        nxt = offsets["ifd1"] if (name == "ifd0" and "ifd1" in offsets) else 0
        table += struct.pack(f"{e}I", nxt)
        out += table + data
    if thumbnail is not None:
        out += thumbnail
    return bytes(out)


def exif_date(dt: datetime) -> str:
    return dt.strftime("%Y:%m:%d %H:%M:%S")


def exif_offset(dt: datetime) -> str:
    s = dt.strftime("%z")  # -0500
    return f"{s[:3]}:{s[3:]}"


def dms(value: float) -> list[tuple[int, int]]:
    """Degrees, minutes and seconds (hundredths) as EXIF RATIONALs."""
    value = abs(value)
    d = int(value)
    m_full = (value - d) * 60
    m = int(m_full)
    s = round((m_full - m) * 60 * 100)
    return [(d, 1), (m, 1), (s, 100)]


def exif_for(
    meta: PhotoMeta,
    width: int,
    height: int,
    orientation: int | None = 1,
    gps: tuple[float, float] | None = None,
    gps_time: datetime | None = None,
    colour_space: int = 1,
    thumbnail: bytes | None = None,
    big_endian: bool = False,
    ascii_description: str | None = None,
    jpeg: bool = True,
) -> bytes:
    """The TIFF body of an EXIF block for a picture: IFD0 description, artist, copyright, dates,
    orientation; Exif IFD with DateTimeOriginal and its offset; optionally GPS and a thumbnail.
    EXIF 2.32 types these strings ASCII; like most software, non-ASCII characters are written as UTF-8."""
    dt = meta.created
    ifd0 = [
        (0x010E, ASCII, ascii_description if ascii_description is not None else meta.default_caption),
        (0x011A, RATIONAL, [(72, 1)]),
        (0x011B, RATIONAL, [(72, 1)]),
        (0x0128, SHORT, 2),
        (0x0131, ASCII, SOFTWARE),
        (0x0132, ASCII, exif_date(dt)),
        (0x013B, ASCII, meta.byline),
        (0x8298, ASCII, meta.copyright),
    ]
    if orientation is not None:
        ifd0.append((0x0112, SHORT, orientation))
    if jpeg:  # EXIF 2.32 requires these in a JPEG (exiftool -validate checks them)
        ifd0.append((0x0213, SHORT, 1))
    exif = [
        (0x9000, UNDEFINED, b"0232"),
        (0x9003, ASCII, exif_date(dt)),
        (0x9004, ASCII, exif_date(dt)),
        (0x9010, ASCII, exif_offset(dt)),
        (0x9011, ASCII, exif_offset(dt)),
        (0xA001, SHORT, colour_space),
    ]
    if jpeg:
        exif += [(0x9101, UNDEFINED, b"\x01\x02\x03\x00"), (0xA000, UNDEFINED, b"0100")]
    exif += [
        (0xA002, LONG, width),
        (0xA003, LONG, height),
    ]
    gps_ifd = None
    if gps is not None:
        lat, lon = gps
        t = gps_time or dt
        gps_ifd = [
            (0x0000, BYTE, [2, 3, 0, 0]),
            (0x0001, ASCII, "N" if lat >= 0 else "S"),
            (0x0002, RATIONAL, dms(lat)),
            (0x0003, ASCII, "E" if lon >= 0 else "W"),
            (0x0004, RATIONAL, dms(lon)),
            (0x0005, BYTE, [0]),
            (0x0006, RATIONAL, [(0, 1)]),
            (0x0007, RATIONAL, [(t.hour, 1), (t.minute, 1), (t.second, 1)]),
            (0x0012, ASCII, "WGS-84"),
            (0x001D, ASCII, t.strftime("%Y:%m:%d")),
        ]
    ifd1 = None
    if thumbnail is not None:
        ifd1 = [
            (0x0103, SHORT, 6),
            (0x011A, RATIONAL, [(72, 1)]),
            (0x011B, RATIONAL, [(72, 1)]),
            (0x0128, SHORT, 2),
        ]
    return pack_tiff(ifd0, exif, gps_ifd, ifd1, thumbnail, big_endian)


# ---------------------------------------------------------------------------------------------------
# XMP
# ---------------------------------------------------------------------------------------------------
XMP_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "exif": "http://ns.adobe.com/exif/1.0/",
}


def _x(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _lang_alt(name: str, values: dict[str, str]) -> str:
    first = next(iter(values))
    items = [f'<rdf:li xml:lang="x-default">{_x(values[first])}</rdf:li>']
    items += [f'<rdf:li xml:lang="{lang}">{_x(v)}</rdf:li>' for lang, v in values.items()]
    return f"<{name}><rdf:Alt>{''.join(items)}</rdf:Alt></{name}>"


def xmp_iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def xmp_packet(meta: PhotoMeta | None = None, body: str | None = None, doctype: str = "", padding: int = 512, extra: str = "") -> bytes:
    """An XMP packet (UTF-8, with the xpacket wrapper and some whitespace padding so editors can grow it in
    place). `body` replaces the generated rdf:Description properties, `extra` is added to them; `doctype`
    goes between the xpacket processing instruction and the root element (where XML allows a DTD)."""
    if body is None:
        assert meta is not None
        props = [
            _lang_alt("dc:title", {meta.language: meta.title}),
            _lang_alt("dc:description", meta.caption),
            f"<dc:creator><rdf:Seq><rdf:li>{_x(meta.byline)}</rdf:li></rdf:Seq></dc:creator>",
            _lang_alt("dc:rights", {meta.language: meta.copyright}),
            "<dc:subject><rdf:Bag>"
            + "".join(f"<rdf:li>{_x(k)}</rdf:li>" for k in meta.keywords)
            + "</rdf:Bag></dc:subject>",
            f"<photoshop:Credit>{_x(meta.credit)}</photoshop:Credit>",
            f"<photoshop:Source>{_x(meta.source)}</photoshop:Source>",
            f"<photoshop:DateCreated>{xmp_iso(meta.created)}</photoshop:DateCreated>",
            f"<photoshop:City>{_x(meta.city)}</photoshop:City>",
            f"<photoshop:Country>{_x(meta.country)}</photoshop:Country>",
            f"<photoshop:Headline>{_x(meta.title)}</photoshop:Headline>",
            _lang_alt("Iptc4xmpCore:AltTextAccessibility", meta.alt_text),
            f"<Iptc4xmpExt:DigitalSourceType>{DIGITAL_SOURCE_ALGORITHMIC}</Iptc4xmpExt:DigitalSourceType>",
            "<xmpRights:Marked>True</xmpRights:Marked>",
            _lang_alt("xmpRights:UsageTerms", {meta.language: meta.usage_terms}),
            f"<xmp:CreatorTool>{SOFTWARE}</xmp:CreatorTool>",
            f"<xmp:CreateDate>{xmp_iso(meta.created)}</xmp:CreateDate>",
        ]
        body = "\n    ".join(props)
    if extra:
        body += "\n    " + extra
    ns = " ".join(f'xmlns:{p}="{u}"' for p, u in XMP_NAMESPACES.items())
    text = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        f"{doctype}"
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about="" {ns}>\n'
        f"    {body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n" + (" " * 99 + "\n") * (padding // 100) + '<?xpacket end="w"?>'
    )
    return text.encode("utf-8")


# ---------------------------------------------------------------------------------------------------
# IPTC IIM in a Photoshop image resource block
# ---------------------------------------------------------------------------------------------------
def iim_dataset(record: int, number: int, data: bytes) -> bytes:
    if len(data) > 0x7FFF:
        raise ValueError("extended datasets are not needed here")
    return struct.pack(">BBBH", 0x1C, record, number, len(data)) + data


def iim_for(meta: PhotoMeta, utf8: bool = True, encoding: str = "utf-8") -> bytes:
    """IIM records 1 and 2. With utf8, 1:90 says ESC % G and every string is UTF-8; without it the
    strings are written in `encoding` (IIM's default is ISO 646 / a legacy 8-bit set, which readers guess)."""
    enc = "utf-8" if utf8 else encoding
    out = bytearray()
    out += iim_dataset(1, 0, struct.pack(">H", 4))  # envelope record version
    if utf8:
        out += iim_dataset(1, 90, b"\x1b%G")
    out += iim_dataset(2, 0, struct.pack(">H", 4))  # application record version
    out += iim_dataset(2, 5, meta.title.encode(enc)[:64])  # object name
    for k in meta.keywords:
        out += iim_dataset(2, 25, k.encode(enc)[:64])
    dt = meta.created
    out += iim_dataset(2, 55, dt.strftime("%Y%m%d").encode())
    out += iim_dataset(2, 60, dt.strftime("%H%M%S%z").encode())
    out += iim_dataset(2, 80, meta.byline.encode(enc)[:32])
    out += iim_dataset(2, 90, meta.city.encode(enc)[:32])
    out += iim_dataset(2, 101, meta.country.encode(enc)[:64])
    out += iim_dataset(2, 105, meta.title.encode(enc)[:256])
    out += iim_dataset(2, 110, meta.credit.encode(enc)[:32])
    out += iim_dataset(2, 115, meta.source.encode(enc)[:32])
    out += iim_dataset(2, 116, meta.copyright.encode(enc)[:128])
    out += iim_dataset(2, 120, meta.default_caption.encode(enc)[:2000])
    return bytes(out)


def photoshop_irb(iim: bytes, digest: bool = True) -> bytes:
    """Photoshop image resource blocks: 0x0404 (IPTC-NAA) and 0x0425 (MD5 of it, which tells readers the
    IIM and the XMP were written together)."""

    def block(res_id: int, data: bytes) -> bytes:
        b = b"8BIM" + struct.pack(">H", res_id) + b"\0\0" + struct.pack(">I", len(data)) + data
        return b + (b"\0" if len(data) & 1 else b"")

    out = block(0x0404, iim)
    if digest:
        out += block(0x0425, hashlib.md5(iim).digest())
    return out


# ---------------------------------------------------------------------------------------------------
# JPEG segments
# ---------------------------------------------------------------------------------------------------
def segment(marker: int, payload: bytes) -> bytes:
    if len(payload) + 2 > 0xFFFF:
        raise ValueError(f"segment {marker:#x} too long: {len(payload)}")
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def app1_exif(tiff: bytes) -> bytes:
    return segment(0xE1, b"Exif\0\0" + tiff)


def app1_xmp(packet: bytes) -> bytes:
    return segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + packet)


def app13_iptc(irb: bytes) -> bytes:
    return segment(0xED, b"Photoshop 3.0\0" + irb)


def split_jpeg(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The segments between SOI and SOS as (marker, whole segment bytes), and the rest from SOS on."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    pos = 2
    segs = []
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        if marker == 0xDA:
            return segs, data[pos:]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segs.append((marker, data[pos : pos + 2 + length]))
        pos += 2 + length


def jpeg_with(data: bytes, segments: list[bytes], keep_jfif: bool = True) -> bytes:
    """A JPEG from an encoder's output with `segments` placed right after SOI (after JFIF APP0 when kept);
    any APP1/APP13 the encoder wrote is dropped so each block appears once."""
    segs, rest = split_jpeg(data)
    head = [s for m, s in segs if m == 0xE0 and keep_jfif]
    tail = [s for m, s in segs if m not in (0xE0, 0xE1, 0xED)]
    return b"\xff\xd8" + b"".join(head) + b"".join(segments) + b"".join(tail) + rest


def encode_jpeg(im, quality: int = 85, icc: bytes | None = None, **kw) -> bytes:
    buf = io.BytesIO()
    args = dict(quality=quality, optimize=True, progressive=False, subsampling="4:2:0", dpi=(72, 72))
    args.update(kw)
    if icc:
        args["icc_profile"] = icc
    im.save(buf, "JPEG", **args)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------
# PNG chunks
# ---------------------------------------------------------------------------------------------------
def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_itxt(keyword: str, text: bytes) -> bytes:
    """An uncompressed iTXt chunk (keyword, compression flag 0, method 0, empty language and translated keyword)."""
    return png_chunk(b"iTXt", keyword.encode("latin-1") + b"\0\0\0\0\0" + text)


def png_insert_after_ihdr(data: bytes, chunks: list[bytes]) -> bytes:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    (ihdr_len,) = struct.unpack(">I", data[8:12])
    cut = 8 + 12 + ihdr_len
    return data[:cut] + b"".join(chunks) + data[cut:]


# ---------------------------------------------------------------------------------------------------
# An ICC profile: Display P3 primaries, sRGB tone curve, version 4.3
# ---------------------------------------------------------------------------------------------------
def _mat_mul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def _mat_vec(a, v):
    return [sum(a[i][k] * v[k] for k in range(3)) for i in range(3)]


def _mat_inv(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return [
        [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
        [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
        [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
    ]


def _xyz(x, y):
    return [x / y, 1.0, (1 - x - y) / y]


def rgb_to_xyz_d50(primaries, white):
    """Colourant matrix (columns = red, green, blue in PCS XYZ, D50) by Bradford adaptation, as ICC asks,
    and the chromatic adaptation matrix itself."""
    cols = [_xyz(*p) for p in primaries]
    m = [[cols[j][i] for j in range(3)] for i in range(3)]
    w = _xyz(*white)
    s = _mat_vec(_mat_inv(m), w)
    m = [[m[i][j] * s[j] for j in range(3)] for i in range(3)]
    bradford = [[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]]
    d50 = [0.9642, 1.0, 0.8249]
    src = _mat_vec(bradford, w)
    dst = _mat_vec(bradford, d50)
    scale = [[dst[0] / src[0], 0, 0], [0, dst[1] / src[1], 0], [0, 0, dst[2] / src[2]]]
    chad = _mat_mul(_mat_inv(bradford), _mat_mul(scale, bradford))
    return _mat_mul(chad, m), chad


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _mluc(text: str) -> bytes:
    s = text.encode("utf-16-be")
    return b"mluc\0\0\0\0" + struct.pack(">II", 1, 12) + b"enUS" + struct.pack(">II", len(s), 28) + s


def icc_profile(description: str, copyright: str, primaries, white=(0.3127, 0.3290)) -> bytes:
    """A matrix/TRC RGB display profile (ICC v4.3) with the sRGB parametric curve (type 3)."""
    m, chad = rgb_to_xyz_d50(primaries, white)
    para = b"para\0\0\0\0" + struct.pack(">HH", 3, 0)
    para += b"".join(_s15(v) for v in (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
    tags = [
        (b"desc", _mluc(description)),
        (b"cprt", _mluc(copyright)),
        (b"wtpt", b"XYZ \0\0\0\0" + _s15(0.9642) + _s15(1.0) + _s15(0.8249)),
        (b"chad", b"sf32\0\0\0\0" + b"".join(_s15(chad[i][j]) for i in range(3) for j in range(3))),
        (b"rXYZ", b"XYZ \0\0\0\0" + b"".join(_s15(m[i][0]) for i in range(3))),
        (b"gXYZ", b"XYZ \0\0\0\0" + b"".join(_s15(m[i][1]) for i in range(3))),
        (b"bXYZ", b"XYZ \0\0\0\0" + b"".join(_s15(m[i][2]) for i in range(3))),
        (b"rTRC", para),
        (b"gTRC", para),
        (b"bTRC", para),
    ]
    table_len = 4 + 12 * len(tags)
    data = bytearray()
    entries = []
    placed: dict[bytes, int] = {}
    for sig, body in tags:
        if body in placed:  # the three curves share one element, as profiles usually do
            entries.append((sig, placed[body], len(body)))
            continue
        off = 128 + table_len + len(data)
        placed[body] = off
        entries.append((sig, off, len(body)))
        data += body
        data += b"\0" * (-len(body) % 4)
    size = 128 + table_len + len(data)
    header = bytearray(128)
    struct.pack_into(">I", header, 0, size)
    struct.pack_into(">I", header, 8, 0x04300000)
    header[12:16] = b"mntr"
    header[16:20] = b"RGB "
    header[20:24] = b"XYZ "
    struct.pack_into(">6H", header, 24, 2026, 10, 1, 0, 0, 0)
    header[36:40] = b"acsp"
    struct.pack_into(">I", header, 64, 0)  # perceptual
    header[68:80] = _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    table = struct.pack(">I", len(tags)) + b"".join(struct.pack(">4sII", s, o, n) for s, o, n in entries)
    profile = bytearray(header + table + data)
    # Profile ID: MD5 of the profile with flags, rendering intent and the ID itself zeroed (ICC.1 7.2.18).
    probe = bytearray(profile)
    probe[44:48] = b"\0" * 4
    probe[64:68] = b"\0" * 4
    probe[84:100] = b"\0" * 16
    profile[84:100] = hashlib.md5(probe).digest()
    return bytes(profile)


def display_p3_profile() -> bytes:
    """Display P3: DCI-P3 primaries with the D65 white and the sRGB tone curve."""
    return icc_profile(
        "Display P3 (wirefeed test profile)",
        "No copyright: written by wirefeed scripts/media/metalib.py from the published primaries",
        primaries=[(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)],
    )


# ---------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------
def write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))
