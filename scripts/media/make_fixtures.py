#!/usr/bin/env python3
"""Writes the hostile and edge-case picture fixtures of tests/data/media/ and their README.

    pip install Pillow==12.1.1        # the only dependency (Python 3.11)
    python3 scripts/media/make_fixtures.py [OUT_DIR]            # default: tests/data/media
    python3 scripts/media/make_fixtures.py --big OUT.jpg [SCENE] # a 6000x4000 JPEG (24 MP) with the sample
                                      # metadata (default scene harbour-patrol: GPS, thumbnail), for benchmarks
    python3 scripts/media/make_fixtures.py --large-upload OUT.bin MB
                                      # exactly MB MiB: a valid JPEG padded with APP15 segments (60 for the
                                      # over-the-limit upload test)

Each fixture is small (<= 200 KB; all together well under 1.5 MB) and made from nothing: a drawn test card,
hand-packed metadata (scripts/media/metalib.py) and, for the broken ones, bytes patched on purpose. The
README beside them is written by this script from the same table, so the two never disagree. Output is
deterministic (fixed seeds and dates); --big and --large-upload outputs are not committed.
"""
from __future__ import annotations

import io
import os
import random
import struct
import sys
import zipfile
import zlib
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageCms, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metalib as M  # noqa: E402
import scenes  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EST = timezone(timedelta(hours=-5))
SEA_POINT = (9.2375, -96.4128)  # the open sea, as in make_samples.py

BASE = M.PhotoMeta(
    title="wirefeed test card",
    caption={"en": "Test card for wirefeed's media tests.", "es": "Carta de ajuste para las pruebas de imágenes de wirefeed."},
    alt_text={"en": "A test card: eight colour bars over a grey ramp.", "es": "Una carta de ajuste: ocho barras de color sobre una rampa de grises."},
    byline="Nuria Salgado",
    credit="ANV / Pruebas",
    created=datetime(2026, 12, 1, 9, 0, 0, tzinfo=EST),
    city="Valdor City",
    country="Valdoria",
    keywords=["test card", "carta de ajuste"],
)


def meta(**changes) -> M.PhotoMeta:
    d = dict(BASE.__dict__)
    d.update(changes)
    return M.PhotoMeta(**d)


# ---------------------------------------------------------------------------------------------------
# pictures
# ---------------------------------------------------------------------------------------------------
BARS = [(235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16), (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16)]


def card(w: int, h: int, mode: str = "RGB") -> Image.Image:
    """A test card: colour bars on the top two thirds, a grey ramp below, a black diagonal."""
    im = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(im)
    top = int(h * 2 / 3)
    for i, c in enumerate(BARS):
        d.rectangle((i * w // 8, 0, (i + 1) * w // 8 - 1, top - 1), fill=c)
    for x in range(w):
        v = int(255 * x / max(1, w - 1))
        d.line([(x, top), (x, h - 1)], fill=(v, v, v))
    d.line([(0, 0), (w - 1, h - 1)], fill=(0, 0, 0), width=max(1, min(w, h) // 40))
    return im.convert(mode) if mode != "RGB" else im


def jpeg(im: Image.Image, segments: list[bytes] = (), quality: int = 90, **kw) -> bytes:
    return M.jpeg_with(M.encode_jpeg(im, quality=quality, **kw), list(segments))


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def full_metadata(m: M.PhotoMeta, w: int, h: int, **exif_kw) -> list[bytes]:
    return [M.app1_exif(M.exif_for(m, w, h, **exif_kw)), M.app1_xmp(M.xmp_packet(m)), M.app13_iptc(M.photoshop_irb(M.iim_for(m)))]


# ---------------------------------------------------------------------------------------------------
# the fixtures: each a function returning bytes (and filling NOTES with computed facts for the README)
# ---------------------------------------------------------------------------------------------------
NOTES: dict[str, str] = {}


def not_an_image() -> bytes:
    return b"This is not an image. It is a plain text file named .jpg, for wirefeed's media tests.\n"


def png_as_jpeg() -> bytes:
    return png(card(64, 48))


def truncated() -> bytes:
    data = jpeg(card(400, 300), full_metadata(BASE, 400, 300))
    sos = data.index(b"\xff\xda")
    cut = sos + (len(data) - sos) // 2
    NOTES["truncated.jpg"] = f"whole file {len(data)} bytes; the scan starts at byte {sos}; cut at byte {cut}, no EOI"
    return data[:cut]


def huge_dims_png() -> bytes:
    data = bytearray(png(Image.new("RGB", (1, 1), (200, 30, 30))))
    assert data[12:16] == b"IHDR"
    struct.pack_into(">II", data, 16, 100000, 100000)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def huge_dims_jpg() -> bytes:
    data = bytearray(M.encode_jpeg(Image.new("RGB", (16, 16), (30, 30, 200)), quality=90))
    i = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, i + 5, 65000, 65000)  # SOF0: length(2) precision(1) height(2) width(2)
    return bytes(data)


def animated(fmt: str) -> bytes:
    frames = []
    for k, c in enumerate([(220, 40, 40), (40, 180, 60), (40, 60, 220)]):
        im = card(96, 64)
        ImageDraw.Draw(im).rectangle((8 + k * 28, 20, 28 + k * 28, 44), fill=c, outline=(0, 0, 0))
        frames.append(im if fmt == "WEBP" else im.convert("P", palette=Image.Palette.ADAPTIVE, colors=64))
    buf = io.BytesIO()
    kw = dict(save_all=True, append_images=frames[1:], duration=300, loop=0)
    if fmt == "WEBP":
        kw.update(quality=80, method=4)
    frames[0].save(buf, fmt, **kw)
    return buf.getvalue()


def cmyk() -> bytes:
    im = Image.new("CMYK", (96, 64), (0, 255, 255, 0))  # top half: red ink (magenta + yellow)
    ImageDraw.Draw(im).rectangle((0, 32, 95, 63), fill=(255, 255, 0, 0))  # bottom half: blue (cyan + magenta)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    assert b"Adobe" in data, "libjpeg writes the Adobe APP14 marker for CMYK"
    return data


def _tiff_header(big: bool = False) -> bytes:
    return (b"MM\0*" + struct.pack(">I", 8)) if big else (b"II*\0" + struct.pack("<I", 8))


def exif_huge_ifd() -> bytes:
    # IFD0 claims 65535 entries (786,420 bytes of table) in a segment of a few dozen bytes
    tiff = _tiff_header() + struct.pack("<H", 0xFFFF) + struct.pack("<HHI4s", 0x0112, M.SHORT, 1, b"\x01\0\0\0") + b"\0" * 8
    return jpeg(card(160, 120), [M.app1_exif(tiff)])


def exif_bad_offsets() -> bytes:
    e = "<"
    entries = [
        (0x010E, M.ASCII, 0x7FFFFFFF, struct.pack(e + "I", 0xFFFFFF00)),  # ImageDescription: 2 GB, far outside
        (0x011A, M.RATIONAL, 1, None),  # XResolution: 8 bytes straddling the end of the segment
        (0x013B, M.ASCII, 20, struct.pack(e + "I", 60000)),  # Artist: offset past the end
        (0x8298, M.ASCII, 0xFFFFFFFF, struct.pack(e + "I", 8)),  # Copyright: count that overflows 32 bits
        (0x8769, M.LONG, 1, struct.pack(e + "I", 0xFFFFFFF0)),  # Exif IFD pointer outside
        (0x8825, M.LONG, 1, struct.pack(e + "I", 3)),  # GPS IFD pointer into the TIFF header, misaligned
    ]
    size = 8 + 2 + 12 * len(entries) + 4
    out = bytearray(_tiff_header() + struct.pack(e + "H", len(entries)))
    for tag, typ, count, val in entries:
        if val is None:
            val = struct.pack(e + "I", size - 4)
        out += struct.pack(e + "HHI", tag, typ, count) + val
    out += struct.pack(e + "I", 0x7FFFFFFF)  # next IFD: outside
    assert len(out) == size
    return jpeg(card(160, 120), [M.app1_exif(bytes(out))])


def exif_ifd_loop() -> bytes:
    e = ">"
    text = b"Caption in an EXIF whose IFDs loop.\0"
    ifd0_at = 8
    ifd0_len = 2 + 12 * 3 + 4
    text_at = ifd0_at + ifd0_len
    ifd1_at = text_at + len(text) + (len(text) & 1)
    out = bytearray(_tiff_header(big=True))
    out += struct.pack(e + "H", 3)
    out += struct.pack(e + "HHII", 0x010E, M.ASCII, len(text), text_at)
    out += struct.pack(e + "HHII", 0x8769, M.LONG, 1, ifd0_at)  # the Exif IFD is IFD0 itself
    out += struct.pack(e + "HHII", 0x8825, M.LONG, 1, ifd1_at)  # the GPS IFD is IFD1
    out += struct.pack(e + "I", ifd1_at)  # IFD0 -> IFD1
    out += text + (b"\0" if len(text) & 1 else b"")
    assert len(out) == ifd1_at
    out += struct.pack(e + "H", 1)
    out += struct.pack(e + "HHI", 0x0103, M.SHORT, 1) + struct.pack(e + "HH", 6, 0)
    out += struct.pack(e + "I", ifd0_at)  # IFD1 -> IFD0: a loop
    return jpeg(card(160, 120), [M.app1_exif(bytes(out))])


BILLION_LAUGHS = (
    '<!DOCTYPE x:xmpmeta [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def xmp_bomb() -> bytes:
    body = '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">&lol9;</rdf:li></rdf:Alt></dc:description>'
    packet = M.xmp_packet(body=body, doctype=BILLION_LAUGHS)
    return jpeg(card(160, 120), [M.app1_xmp(packet)])


def xmp_xxe() -> bytes:
    doctype = '<!DOCTYPE x:xmpmeta [\n <!ENTITY xxe SYSTEM "file:///etc/passwd">\n <!ENTITY remote SYSTEM "http://127.0.0.1:9/xmp-xxe">\n]>\n'
    body = '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">before &xxe; &remote; after</rdf:li></rdf:Alt></dc:description>'
    return jpeg(card(160, 120), [M.app1_xmp(M.xmp_packet(body=body, doctype=doctype))])


MARKUP_CAPTION = '<script>alert(1)</script> & "quotes" ]]> \'apos\' </figcaption><b>bold</b>'
MARKUP_ALT = '"><img src=x onerror=alert(2)>'
MARKUP_BYLINE = "<i>O'Brien</i> & Co"
MARKUP_CREDIT = 'ANV & <b>"X"</b>'


def caption_markup() -> bytes:
    m = meta(
        caption={"en": MARKUP_CAPTION},
        alt_text={"en": MARKUP_ALT},
        byline=MARKUP_BYLINE,
        credit=MARKUP_CREDIT,
        title="<title>markup</title>",
    )
    return jpeg(card(160, 120), full_metadata(m, 160, 120))


def polyglot() -> bytes:
    img = jpeg(card(160, 120), full_metadata(BASE, 160, 120))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("index.html", date_time=(2026, 12, 1, 0, 0, 0))
        z.writestr(info, "<!doctype html><title>polyglot</title><script>alert('zip in a jpeg')</script>\n")
    return img + buf.getvalue()


def html_polyglot() -> bytes:
    html = b"<!doctype html><html><body><script>alert('html in a jpeg comment')</script></body></html>"
    img = jpeg(card(160, 120), [M.segment(0xFE, html)])  # COM right after SOI/JFIF: in the first 512 bytes
    return img + b"\n" + html + b"\n"


def orientation_6() -> bytes:
    shown = Image.new("RGB", (120, 80), (255, 255, 255))
    d = ImageDraw.Draw(shown)
    d.rectangle((0, 0, 29, 19), fill=(255, 0, 0))  # top-left: red
    d.rectangle((90, 0, 119, 19), fill=(0, 160, 0))  # top-right: green
    d.rectangle((0, 60, 29, 79), fill=(0, 0, 255))  # bottom-left: blue
    stored = shown.transpose(Image.Transpose.ROTATE_90)  # Orientation 6 = turn 90 CW to display
    m = meta(caption={"en": "Orientation 6: red top-left, green top-right, blue bottom-left once turned."})
    return jpeg(stored, full_metadata(m, stored.width, stored.height, orientation=6), quality=95, subsampling="4:4:4")


def gps() -> bytes:
    lat, lon = SEA_POINT
    # the same place in XMP too (exif:GPSLatitude "DDD,MM.mmk"), as Lightroom and phones write it
    def xmp_coord(v, pos, neg):
        v2 = abs(v)
        return f"{int(v2)},{(v2 - int(v2)) * 60:.4f}{pos if v >= 0 else neg}"

    extra = f"<exif:GPSLatitude>{xmp_coord(lat, 'N', 'S')}</exif:GPSLatitude><exif:GPSLongitude>{xmp_coord(lon, 'E', 'W')}</exif:GPSLongitude>"
    m = meta(caption={"en": "A picture that says where it was taken (EXIF GPS and XMP exif:GPS*)."})
    segs = [
        M.app1_exif(M.exif_for(m, 160, 107, gps=SEA_POINT, gps_time=m.created.astimezone(timezone.utc))),
        M.app1_xmp(M.xmp_packet(m, extra=extra)),
        M.app13_iptc(M.photoshop_irb(M.iim_for(m))),
    ]
    return jpeg(card(160, 107), segs)


P3_PATCHES = [(200, 80, 60), (40, 160, 90)]


def p3() -> bytes:
    icc = M.display_p3_profile()
    srgb = Image.new("RGB", (64, 48))
    d = ImageDraw.Draw(srgb)
    d.rectangle((0, 0, 31, 47), fill=P3_PATCHES[0])
    d.rectangle((32, 0, 63, 47), fill=P3_PATCHES[1])
    t = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(icc)), "RGB", "RGB")
    stored = ImageCms.applyTransform(srgb, t)
    vals = [stored.getpixel((16, 24)), stored.getpixel((48, 24))]
    NOTES["p3.jpg"] = (
        f"left patch encoded as P3 {vals[0]} (±1 after JPEG), which is sRGB {P3_PATCHES[0]}; right patch P3 {vals[1]}, "
        f"which is sRGB {P3_PATCHES[1]}"
    )
    m = meta(caption={"en": "Display P3 test: two flat patches."})
    return jpeg(stored, full_metadata(m, 64, 48, colour_space=0xFFFF), quality=95, subsampling="4:4:4", icc=icc)


def png_alpha() -> bytes:
    im = Image.new("RGBA", (200, 150), (255, 0, 255, 0))  # fully transparent, with magenta behind the alpha
    opaque = card(100, 150).convert("RGBA")
    im.paste(opaque, (0, 0))
    ImageDraw.Draw(im).rectangle((100, 50, 199, 99), fill=(0, 0, 0, 128))  # half-transparent black band
    return png(im)


def iptc_only() -> bytes:
    m = meta(
        caption={"es": "Pie de foto que solo está en el IIM: el ministro llega a Arnavo."},
        byline="Marta Iglesias",
        credit="ANV / IIM",
        copyright="© 2026 ANV (IIM)",
        city="Arnavo",
        created=datetime(2026, 10, 8, 12, 30, 0, tzinfo=EST),
    )
    # no 0x0425 digest: what software older than XMP wrote
    return jpeg(card(160, 120), [M.app13_iptc(M.photoshop_irb(M.iim_for(m), digest=False))])


def xmp_only() -> bytes:
    m = meta(
        caption={"en": "Caption only in XMP: the minister arrives in San Telmo.", "es": "Pie solo en XMP: el ministro llega a San Telmo."},
        alt_text={"en": "A test card (XMP only).", "es": "Una carta de ajuste (solo XMP)."},
        byline="Daniel Roig",
        credit="ANV / XMP",
        copyright="© 2026 ANV (XMP)",
        city="San Telmo",
        created=datetime(2026, 10, 27, 18, 5, 0, tzinfo=EST),
    )
    return jpeg(card(160, 120), [M.app1_xmp(M.xmp_packet(m))])


def exif_only() -> bytes:
    m = meta(
        caption={"en": "Caption only in EXIF: the minister arrives in Kessel."},
        byline="Pablo Ferrer",
        copyright="(c) 2026 ANV (EXIF)",
        created=datetime(2026, 11, 4, 7, 45, 0, tzinfo=EST),
    )
    return jpeg(card(160, 120), [M.app1_exif(M.exif_for(m, 160, 120))])


def latin1_iim() -> bytes:
    m = meta(
        caption={"es": "Reunión en Lussan: el ministro habló con la prensa en el salón de actos."},
        byline="Nuria Peñalver",
        credit="ANV / Fotografía",
        copyright="© 2026 ANV",
        city="Lussan",
        country="Marennia",
        keywords=["reunión", "Lussan"],
        title="Reunión en Lussan",
    )
    iim = M.iim_for(m, utf8=False, encoding="latin-1")
    assert b"Reuni\xf3n" in iim and b"\x1b%G" not in iim
    return jpeg(card(160, 120), [M.app13_iptc(M.photoshop_irb(iim, digest=False))])


def simple_jpeg(w, h, mode="RGB"):
    return lambda: jpeg(card(w, h, mode), full_metadata(BASE, w, h))


# name, builder, what it is, what a correct server must do
FIXTURES = [
    ("not-an-image.jpg", not_an_image, "Plain text with a .jpg name.",
     "Refuse: 415 (or 400) problem+json, sent as `image/jpeg` or any image type; nothing stored, no file left."),
    ("png-as-jpeg.jpg", png_as_jpeg, "A real 64×48 PNG, to be sent as `image/jpeg`.",
     "Refuse: the bytes are not the type claimed (415 naming the mismatch); nothing stored. Sent as `image/png` it is a valid picture."),
    ("truncated.jpg", truncated, "A valid 400×300 JPEG with full metadata, cut in the middle of the entropy-coded scan.",
     "Refuse with 400 (the image does not decode); nothing stored. libjpeg reports this only as a warning (`Premature end of JPEG file`) and fills the rest with grey, as lenient decoders do: that warning must be an error."),
    ("huge-dims.png", huge_dims_png, "A 1×1 PNG whose IHDR claims 100000×100000 (10 gigapixels), CRC recomputed so the header is valid.",
     "Refuse with 400 (over `media.max_pixels`) after reading the header, before allocating any pixel buffer; memory stays flat."),
    ("huge-dims.jpg", huge_dims_jpg, "A 16×16 JPEG whose SOF0 claims 65000×65000 (4.2 gigapixels), with 16×16 worth of data.",
     "Refuse with 400 (over `media.max_pixels`) before decoding; memory stays flat."),
    ("animated.gif", lambda: animated("GIF"), "A 3-frame animated GIF, 96×64, looping.",
     "GIF is not an allowed type: 415. (If a server ever accepts GIF: first frame only, said so.)"),
    ("animated.webp", lambda: animated("WEBP"), "A 3-frame animated WebP, 96×64, looping.",
     "Handled or refused clearly: either 400/415 'animated images are not supported', or renditions of the first frame only (then a still; never an animation that plays differently)."),
    ("cmyk.jpg", cmyk, "A 96×64 CMYK JPEG with the Adobe APP14 marker (inverted CMYK as Photoshop writes it): top half red ink (M+Y), bottom half blue ink (C+M).",
     "Handled or refused clearly. If handled, renditions are RGB (sRGB) JPEGs: top half red (about (255,0,0)), bottom half blue (about (0,0,255)); colours inverted (cyan top) mean the Adobe inversion was missed. Otherwise 415 naming CMYK."),
    ("exif-huge-ifd.jpg", exif_huge_ifd, "A 160×120 JPEG whose EXIF IFD0 claims 65535 entries in a segment a few dozen bytes long.",
     "No crash, no large allocation, no hang: either accept the image ignoring the EXIF (no field from it) or 400 naming the EXIF. Never 500."),
    ("exif-bad-offsets.jpg", exif_bad_offsets, "EXIF IFD0 whose value offsets point outside the segment (2 GB count, offset 60000, a count that overflows 32 bits, a RATIONAL straddling the end), an Exif IFD pointer at 0xFFFFFFF0, a GPS IFD pointer into the header, next IFD at 0x7FFFFFFF.",
     "As exif-huge-ifd.jpg: bounds-checked reads; accept without those fields or 400; never 500, never a hang. A rendition carries none of this EXIF."),
    ("exif-ifd-loop.jpg", exif_ifd_loop, "Big-endian EXIF whose IFDs loop: IFD0 -> IFD1 -> IFD0, the Exif IFD pointer points at IFD0 itself, the GPS IFD pointer at IFD1.",
     "Terminates (visited offsets or a depth limit). Accepting it, the caption read is `Caption in an EXIF whose IFDs loop.`; or 400. Never a hang."),
    ("xmp-bomb.jpg", xmp_bomb, "XMP packet with a DOCTYPE defining the billion-laughs entities (10 levels × 10: about 3 GB if expanded), used in dc:description.",
     "Never expand entities: refuse the DTD (400 naming the XMP) or ignore the XMP (then no caption from it). Memory and time stay small."),
    ("xmp-xxe.jpg", xmp_xxe, "XMP with external entities (`file:///etc/passwd`, `http://127.0.0.1:9/…`) used in dc:description.",
     "Never resolve external entities or open files/URLs: refuse the DTD (400) or ignore the XMP. The caption must never contain /etc/passwd text."),
    ("caption-markup.jpg", caption_markup, f"Full metadata whose caption is `{MARKUP_CAPTION}`, alt text `{MARKUP_ALT}`, byline `{MARKUP_BYLINE}`, credit `{MARKUP_CREDIT}`, title `<title>markup</title>` (XML-escaped in the XMP, raw in IIM and EXIF).",
     "Accept; the values are plain text: stored exactly and escaped in every output (HTML text and attributes, RSS/Atom/NewsML-G2 XML, JSON). No `<script>` or `<img` element appears in any page; XML outputs stay well-formed."),
    ("polyglot.jpg", polyglot, "A valid 160×120 JPEG followed, after its EOI, by a ZIP archive holding `index.html` with a script (a JPEG/ZIP polyglot: `unzip -l` lists it).",
     "Refuse (400: data after the end of the image) per §13 'a file must decode as the type it claims'; if a server ever accepts trailing bytes, no served file (rendition or original) may contain them (`PK\\x03\\x04`). Note that real cameras append data after EOI too (MPF second images): refusing is a policy, not a decoder error."),
    ("html-polyglot.jpg", html_polyglot, "A valid JPEG with an HTML document in a COM segment near the start and again after EOI (content-sniffing bait).",
     "Refused like polyglot.jpg for the trailing bytes. No served byte range may start with or contain the HTML; every image response has `X-Content-Type-Options: nosniff` and its exact image type."),
    ("orientation-6.jpg", orientation_6, "Stored 80×120 with EXIF Orientation 6. Displayed (turned 90° clockwise) it is 120×80 with a red block in the top-left corner, green top-right, blue bottom-left, bottom-right white.",
     "Renditions are 120×80 (landscape) with red top-left, green top-right, blue bottom-left, and carry Orientation 1 or none. If the server ignored the tag: 80×120 with red bottom-left, green top-left, blue bottom-right. Turned the wrong way (90° CCW): 120×80 with red bottom-right."),
    ("gps.jpg", gps, "A 160×107 JPEG with EXIF GPS (9°14'15\" N 96°24'46\" W, open sea; time, datum, date) and the same place in XMP `exif:GPSLatitude/GPSLongitude`.",
     "Accepted. With `media.keep_gps` unset, no rendition has a GPS IFD or any XMP exif:GPS* property (check with exiftool -gps:all -xmp-exif:all); credit and copyright are still there. With keep_gps = true they stay."),
    ("p3.jpg", p3, "64×48, two flat patches, Display P3 ICC profile (APP2), pixel values in P3.",
     "Renditions are sRGB: the left patch about sRGB (200,80,60), the right about (40,160,90) (±3 for JPEG); the P3 profile is gone or replaced by sRGB. A server that ignores the profile shows the stored P3 values instead."),
    ("tiny.png", lambda: png(card(16, 12)), "A 16×12 PNG test card.",
     "Never upscaled: every rendition is 16×12 (thumbnail, web and large alike)."),
    ("exactly-320.jpg", simple_jpeg(320, 213), "A 320×213 JPEG with full metadata.",
     "`thumbnail` is exactly 320×213 (the limit is ≤ 320: no resize, no upscale); web and large the same size."),
    ("wide-4000x100.jpg", simple_jpeg(4000, 100), "A 4000×100 JPEG (a 40:1 strip).",
     "Width limits apply: thumbnail 320×8, web 1024×26 (rounded, never a zero height), large 2048×51; no crash on a tiny height."),
    ("grayscale.jpg", simple_jpeg(200, 150, "L"), "A 200×150 single-channel (grayscale) JPEG with full metadata.",
     "Accepted; renditions are valid JPEGs (grayscale or RGB) that look the same."),
    ("png-alpha.png", png_alpha, "A 200×150 RGBA PNG: left half an opaque test card, right half fully transparent with magenta (255,0,255) stored under alpha 0, and a band of black at alpha 128 across the right half (y 50–99).",
     "Flattened onto white for JPEG renditions: the transparent area becomes white (255,255,255), the half-transparent band about (127,127,127), the left half unchanged. Magenta anywhere means the alpha was dropped instead of composited; black means composited on black."),
    ("iptc-only.jpg", iptc_only, "Metadata only in IPTC IIM (APP13, UTF-8, no 0x0425 digest): caption `Pie de foto que solo está en el IIM: el ministro llega a Arnavo.`, by-line Marta Iglesias, credit `ANV / IIM`, copyright `© 2026 ANV (IIM)`, date 2026-10-08 12:30 -05:00, city Arnavo.",
     "Caption, byline, credit, copyright, taken_at (2026-10-08T12:30:00-05:00) filled from the IIM, and the API says they came from the file."),
    ("xmp-only.jpg", xmp_only, "Metadata only in XMP: caption (en x-default, es) `Caption only in XMP: the minister arrives in San Telmo.`, alt text, creator Daniel Roig, credit `ANV / XMP`, rights `© 2026 ANV (XMP)`, date 2026-10-27T18:05:00-05:00, city San Telmo.",
     "Caption, alt text, byline, credit, copyright, taken_at filled from the XMP (the x-default caption, or the one in the picture's language), said to come from the file."),
    ("exif-only.jpg", exif_only, "Metadata only in EXIF: ImageDescription `Caption only in EXIF: the minister arrives in Kessel.`, Artist Pablo Ferrer, Copyright `(c) 2026 ANV (EXIF)`, DateTimeOriginal 2026:11:04 07:45:00 with OffsetTimeOriginal -05:00.",
     "Caption, byline, copyright, taken_at (2026-11-04T07:45:00-05:00) filled from EXIF; credit and alt text absent (so the picture needs them before use)."),
    ("latin1-iim.jpg", latin1_iim, "IIM without 1:90 (no character set declared), strings in ISO-8859-1: caption `Reunión en Lussan: el ministro habló con la prensa en el salón de actos.` (ó = 0xF3), by-line `Nuria Peñalver` (ñ = 0xF1).",
     "Decoded as Latin-1 / Windows-1252 because the bytes are not UTF-8: the caption reads exactly as above, with no U+FFFD and no mojibake (`Reuni�n`, `ReuniÃ³n`)."),
]


# ---------------------------------------------------------------------------------------------------
# the big files (not committed)
# ---------------------------------------------------------------------------------------------------
def big(out: str, scene: str = "harbour-patrol") -> None:
    import make_samples as S

    sample = next(s for s in S.SAMPLES if s["id"] == scene)
    w, h = (6000, 4000) if sample["size"][0] >= sample["size"][1] else (4000, 6000)
    scenes.SS = 1  # 24 MP drawn directly: supersampling would need 96 MP of scratch
    im = scenes.SCENES[scene](w, h)
    im = scenes.grain(im, random.Random(6000), fine=9.0, coarse=0)
    m = sample["meta"]
    thumb = M.jpeg_with(M.encode_jpeg(im.resize((160, 107)), quality=70), [], keep_jfif=False)
    segs = [
        M.app1_exif(M.exif_for(m, w, h, gps=sample.get("gps"), gps_time=m.created.astimezone(timezone.utc) if sample.get("gps") else None, thumbnail=thumb)),
        M.app1_xmp(M.xmp_packet(m)),
        M.app13_iptc(M.photoshop_irb(M.iim_for(m))),
    ]
    data = M.jpeg_with(M.encode_jpeg(im, quality=92), segs)
    M.write(out, data)
    print(f"{out}: {w}x{h}, {len(data)} bytes ({len(data) / 1e6:.1f} MB), metadata of {scene}")


def large_upload(out: str, mib: int) -> None:
    """Exactly mib MiB: SOI, JFIF, APP15 padding segments (incompressible seeded bytes, each starting with
    "WIREFEED-PAD\\0"), then a small real JPEG's tables and scan. It stays a valid JPEG that decodes."""
    target = mib * 1024 * 1024
    base = M.encode_jpeg(card(640, 480), quality=90)
    segs, rest = M.split_jpeg(base)
    head = b"\xff\xd8" + b"".join(s for m, s in segs if m == 0xE0)
    tail = b"".join(s for m, s in segs if m != 0xE0) + rest
    room = target - len(head) - len(tail)
    if room < 0:
        raise SystemExit(f"{mib} MiB is smaller than the base JPEG")
    rnd = random.Random(60)
    tag = b"WIREFEED-PAD\0"
    pads = []
    while room > 0:
        n = min(room, 65537)  # 4 bytes of marker and length, up to 65533 of payload
        if 0 < room - n < 4 + len(tag):  # keep the last one big enough for its header
            n = room - (4 + len(tag))
        payload_len = n - 4
        pads.append(M.segment(0xEF, tag + rnd.randbytes(payload_len - len(tag))))
        room -= n
    data = head + b"".join(pads) + tail
    assert len(data) == target, (len(data), target)
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data)} bytes ({mib} MiB), {len(pads)} APP15 padding segments, a 640x480 JPEG")


# ---------------------------------------------------------------------------------------------------
def readme(sizes: dict[str, int]) -> str:
    lines = [
        "# Picture fixtures for the media tests",
        "",
        "Hostile and edge-case files for issue 23 (contract §13). Written by `scripts/media/make_fixtures.py`",
        "(this README too, from the same table): every image is a drawn test card or a few patched bytes; nothing",
        "is copied from anywhere. Regenerate with `pip install Pillow==12.1.1 && python3 scripts/media/make_fixtures.py`",
        "(same bytes with the same Pillow). The metadata is packed by hand in `scripts/media/metalib.py`; read it",
        "back with `exiftool -G1 -a -s FILE` (exiftool warns about the broken EXIF fixtures, as it should).",
        "",
        "Files that are not committed, for benchmarks and the size limit:",
        "",
        "```sh",
        "python3 scripts/media/make_fixtures.py --big /tmp/big.jpg            # 6000x4000 (24 MP) JPEG, ~5-10 MB, sample metadata with GPS",
        "python3 scripts/media/make_fixtures.py --large-upload /tmp/60.bin 60  # exactly 60 MiB, a valid JPEG padded with APP15 segments",
        "```",
        "",
        "Unless a line says otherwise, the JPEGs are 160×120 test cards (eight colour bars over a grey ramp) and",
        "\"full metadata\" means EXIF + XMP + IIM with caption `Test card for wirefeed's media tests.`, byline",
        "Nuria Salgado, credit `ANV / Pruebas`, copyright `© 2026 Agencia Nacional de Noticias de Valdoria (ANV)`,",
        "date 2026-12-01T09:00:00-05:00. Every refusal is a problem+json with nothing stored and no file left in the",
        "media folder.",
        "",
        "| file | bytes | what it is | what a correct server does |",
        "| --- | ---: | --- | --- |",
    ]
    for name, _fn, what, expect in FIXTURES:
        note = f" ({NOTES[name]})" if name in NOTES else ""
        cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines.append(f"| `{name}` | {sizes[name]:,} | {cell(what + note)} | {cell(expect)} |")
    lines += ["", f"Total: {sum(sizes.values()):,} bytes in {len(sizes)} files.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--big"]:
        if len(argv) not in (2, 3):
            raise SystemExit("usage: make_fixtures.py --big OUT.jpg [SCENE]")
        return big(*argv[1:])
    if argv[:1] == ["--large-upload"]:
        if len(argv) != 3:
            raise SystemExit("usage: make_fixtures.py --large-upload OUT.bin MB")
        return large_upload(argv[1], int(argv[2]))
    out_dir = argv[0] if argv else os.path.join(ROOT, "tests", "data", "media")
    sizes = {}
    for name, fn, _what, _expect in FIXTURES:
        data = fn()
        assert len(data) <= 200 * 1024, f"{name} is {len(data)} bytes"
        M.write(os.path.join(out_dir, name), data)
        sizes[name] = len(data)
        print(f"{name:24} {len(data):>8}")
    total = sum(sizes.values())
    assert total <= 1536 * 1024, total
    M.write(os.path.join(out_dir, "README.md"), readme(sizes).encode("utf-8"))
    print(f"total {total} bytes in {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1:])
