#!/usr/bin/env python3
"""Draws the five sample pictures of data/media/ and writes their embedded metadata and manifest.

    pip install Pillow==12.1.1        # the only dependency (Python 3.11); any Pillow >= 10.1 draws the
                                      # same pictures, but byte-identical output needs this version
    python3 scripts/media/make_samples.py [OUT_DIR]     # default: data/media

Every picture is drawn by scripts/media/scenes.py from shapes, gradients and seeded noise: no photograph
or other image is read. Output is deterministic (fixed seeds, fixed dates, fixed file times): running it
twice gives the same bytes with the same Pillow, libjpeg-turbo and libwebp.

Each file carries real embedded metadata the way receivers' tools read it (check with
`exiftool -G1 -a data/media/*`):
- XMP: JPEG APP1 "http://ns.adobe.com/xap/1.0/\\0", WebP "XMP " chunk, PNG iTXt "XML:com.adobe.xmp";
- IPTC IIM (APP13 Photoshop 3.0, 8BIM 0x0404, with the 0x0425 digest) in the JPEGs, UTF-8 (1:90 ESC % G);
- EXIF in every file (APP1 "Exif\\0\\0" in JPEG, the EXIF chunk in WebP, eXIf in PNG);
- podium-skyline.jpg is stored rotated with EXIF Orientation 6 (a correct server turns it upright, portrait);
- harbour-patrol.jpg has EXIF GPS (a point in the open sea) and an EXIF thumbnail, big-endian EXIF;
- border-dusk.jpg has a Display P3 ICC profile (built by metalib.display_p3_profile) and P3 pixel values.
"""
from __future__ import annotations

import hashlib
import io
import os
import sys
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageCms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metalib as M  # noqa: E402
import scenes  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EST = timezone(timedelta(hours=-5))
MARENNIA_TZ = timezone(timedelta(hours=-4))
ILLUSTRATION = "ANV / Ilustración"
INFOGRAPHIC = "ANV / Infografía"

# A point in the open Pacific, nowhere in particular (no coast within hundreds of kilometres): the
# invented Port Ellery has no real place, so the GPS of the harbour picture is only there to be removed.
SEA_POINT = (9.2375, -96.4128)

SAMPLES = [
    {
        "id": "border-dusk",
        "file": "border-dusk.jpg",
        "size": (2400, 1600),
        "meta": M.PhotoMeta(
            title="Border crossing at dusk",
            caption={
                "en": "A lorry waits at the barrier of a northern border crossing near Kessel at dusk. Illustration.",
                "es": "Un camión espera ante la barrera de un paso fronterizo del norte, cerca de Kessel, al anochecer. Ilustración.",
            },
            alt_text={
                "en": "Drawing of a border checkpoint at dusk: a straight road runs under a lit canopy marked Border Control, past two booths and a red and white barrier, with a lorry waiting in the right lane, a fence and low hills under an orange sky.",
                "es": "Dibujo de un control fronterizo al anochecer: una carretera recta pasa bajo una marquesina iluminada con el rótulo Control fronterizo, junto a dos casetas y una barrera roja y blanca; un camión espera en el carril derecho, con una valla y colinas bajas bajo un cielo anaranjado.",
            },
            byline="Inés Valcárcel",
            credit=ILLUSTRATION,
            created=datetime(2026, 11, 16, 17, 40, 0, tzinfo=EST),
            city="Kessel",
            country="Valdoria",
            keywords=["border", "frontera", "migration", "migración", "Kessel", "illustration"],
        ),
        "articles": ["anv-20261116-0002", "anv-20261104-0004", "anv-20261023-0008"],
        "p3": True,
    },
    {
        "id": "harbour-patrol",
        "file": "harbour-patrol.jpg",
        "size": (2400, 1600),
        "meta": M.PhotoMeta(
            title="Patrol boat leaving Port Ellery",
            caption={
                "en": "A Valdorian patrol boat leaves the harbour of Port Ellery in the morning. Illustration.",
                "es": "Una patrullera valdoriana sale del puerto de Puerto Ellery por la mañana. Ilustración.",
            },
            alt_text={
                "en": "Drawing of a white patrol boat with an orange and blue diagonal stripe and the number P-41, leaving a wake across a blue sea; a quay with bollards in the foreground, a lighthouse, cranes and a low coast behind.",
                "es": "Dibujo de una patrullera blanca con una franja diagonal naranja y azul y el número P-41, que deja una estela en un mar azul; en primer plano un muelle con bolardos y al fondo un faro, grúas y una costa baja.",
            },
            byline="Tomás Ordóñez",
            credit=ILLUSTRATION,
            created=datetime(2026, 11, 13, 8, 15, 0, tzinfo=EST),
            city="Port Ellery",
            country="Valdoria",
            keywords=["navy", "coast guard", "sea rescue", "salvamento marítimo", "Port Ellery", "illustration"],
        ),
        "articles": ["anv-20261113-0005", "anv-20261014-0003", "anv-20261013-0006", "anv-20261013-0005", "anv-20261111-0003"],
        "gps": SEA_POINT,
        "thumbnail": True,
        "big_endian": True,
    },
    {
        "id": "podium-skyline",
        "file": "podium-skyline.jpg",
        "size": (1600, 2400),  # as displayed (portrait); stored 2400x1600 with Orientation 6
        "meta": M.PhotoMeta(
            title="Atril para una rueda de prensa",
            caption={
                "es": "Atril preparado para una rueda de prensa en el Ministerio del Interior, en Ciudad de Valdor, con la ciudad al fondo. Ilustración.",
                "en": "A lectern set up for a news conference at the Interior Ministry in Valdor City, with the city behind. Illustration.",
            },
            alt_text={
                "es": "Dibujo vertical de un atril azul con el emblema de una estrella sobre olas y siete micrófonos de colores, entre dos banderas, ante un ventanal con rascacielos iluminados al atardecer; en primer plano, siluetas de cámaras y periodistas.",
                "en": "Portrait drawing of a blue lectern bearing an emblem of a star over waves and seven coloured microphones, between two flags, before a tall window onto lit skyscrapers at dusk; silhouettes of cameras and reporters in the foreground.",
            },
            byline="Inés Valcárcel",
            credit=ILLUSTRATION,
            created=datetime(2026, 11, 2, 10, 30, 0, tzinfo=EST),
            city="Ciudad de Valdor",
            country="Valdoria",
            keywords=["rueda de prensa", "news conference", "Gobierno", "government", "Ciudad de Valdor", "ilustración"],
        ),
        "articles": ["anv-20261102-0003", "anv-20261102-0005", "anv-20261020-0007", "anv-20261020-0009", "anv-20261106-0001"],
        "orientation": 6,
    },
    {
        "id": "ministers-table",
        "file": "ministers-table.webp",
        "size": (2000, 1333),
        "meta": M.PhotoMeta(
            title="Mesa de la reunión ministerial",
            caption={
                "es": "Mesa preparada para la reunión de los ministros de Valdoria y Marennia en Lussan, con las banderas de los dos países. Ilustración.",
                "en": "The table set for the meeting of the ministers of Valdoria and Marennia in Lussan, with the flags of both countries. Illustration.",
            },
            alt_text={
                "es": "Dibujo de una larga mesa de reuniones vista desde un extremo, con papeles, tarjetas con nombres, vasos de agua y micrófonos en cada puesto; dos banderitas sobre la mesa y cuatro banderas en mástiles ante una pared de madera.",
                "en": "Drawing of a long meeting table seen from one end, with papers, name cards, glasses of water and microphones at every place; two small flags on the table and four flags on poles before a wooden wall.",
            },
            byline="Tomás Ordóñez",
            credit=ILLUSTRATION,
            created=datetime(2026, 10, 17, 10, 0, 0, tzinfo=MARENNIA_TZ),
            city="Lussan",
            country="Marennia",
            keywords=["Marennia", "acuerdo", "agreement", "diplomacia", "diplomacy", "ilustración"],
        ),
        "articles": ["anv-20261017-0001", "anv-20261126-0005", "anv-20261124-0004", "anv-20261120-0003", "anv-20261005-0005"],
    },
    {
        "id": "storm-map",
        "file": "storm-map.png",
        "size": (1800, 1200),
        "meta": M.PhotoMeta(
            title="Trayectoria prevista de la tormenta tropical Irena",
            caption={
                "es": "Mapa de la trayectoria prevista de la tormenta tropical Irena hacia la costa de Puerto Ellery, en alerta roja. Infografía.",
                "en": "Map of the forecast track of tropical storm Irena towards the coast at Port Ellery, under a red alert. Infographic.",
            },
            alt_text={
                "es": "Mapa de la costa de Valdoria con la trayectoria prevista de la tormenta desde el mar, al sureste, hasta tierra cerca de Puerto Ellery el 11 de noviembre por la noche, dentro de un cono de incertidumbre; la costa en alerta roja está marcada en rojo.",
                "en": "Map of the coast of Valdoria showing the storm's forecast track from the sea in the south-east to landfall near Port Ellery on the night of 11 November, inside a cone of uncertainty; the coast under red alert is marked in red.",
            },
            byline="Inés Valcárcel",
            credit=INFOGRAPHIC,
            created=datetime(2026, 11, 10, 13, 0, 0, tzinfo=EST),
            city="Puerto Ellery",
            country="Valdoria",
            keywords=["tormenta", "storm", "alerta", "weather", "Puerto Ellery", "infografía"],
        ),
        "articles": ["anv-20261110-0002"],
    },
]


def srgb_to_p3(im: Image.Image, p3: bytes) -> Image.Image:
    """The same colours expressed in Display P3 (so a viewer that honours the profile shows the drawing
    as drawn, and one that ignores it shows it duller)."""
    t = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(p3)), "RGB", "RGB")
    return ImageCms.applyTransform(im, t)


def build(sample: dict) -> tuple[bytes, dict]:
    meta: M.PhotoMeta = sample["meta"]
    w, h = sample["size"]
    im = scenes.SCENES[sample["id"]](w, h)
    info = {"width": w, "height": h, "embedded": ["xmp", "exif"]}
    fmt = sample["file"].rsplit(".", 1)[1]
    xmp = M.xmp_packet(meta)

    if fmt == "jpg":
        orientation = sample.get("orientation", 1)
        stored = im
        if orientation == 6:
            # Orientation 6: the stored image must be turned 90 degrees clockwise to display, so store
            # the upright picture turned 90 degrees counter-clockwise.
            stored = im.transpose(Image.Transpose.ROTATE_90)
            info["embedded"].append("exif-orientation-6")
        icc = None
        colour_space = 1
        if sample.get("p3"):
            icc = M.display_p3_profile()
            stored = srgb_to_p3(stored, icc)
            colour_space = 0xFFFF  # uncalibrated: what cameras write for a non-sRGB profile
            info["embedded"].append("icc-display-p3")
        thumb = None
        if sample.get("thumbnail"):
            t = im.resize((160, 107), Image.Resampling.LANCZOS)
            thumb = M.jpeg_with(M.encode_jpeg(t, quality=70), [], keep_jfif=False)
            info["embedded"].append("exif-thumbnail")
        if sample.get("gps"):
            info["embedded"].append("exif-gps")
        tiff = M.exif_for(
            meta,
            stored.width,
            stored.height,
            orientation=orientation,
            gps=sample.get("gps"),
            gps_time=meta.created.astimezone(timezone.utc) if sample.get("gps") else None,
            colour_space=colour_space,
            thumbnail=thumb,
            big_endian=sample.get("big_endian", False),
        )
        body = M.encode_jpeg(stored, quality=85, icc=icc)
        segments = [M.app1_exif(tiff), M.app1_xmp(xmp), M.app13_iptc(M.photoshop_irb(M.iim_for(meta)))]
        info["embedded"].insert(1, "iptc-iim")
        data = M.jpeg_with(body, segments)
        info["stored_width"], info["stored_height"] = stored.size
        info["media_type"] = "image/jpeg"
    elif fmt == "webp":
        tiff = M.exif_for(meta, w, h, orientation=1, jpeg=False)
        buf = io.BytesIO()
        im.save(buf, "WEBP", quality=85, method=6, exif=tiff, xmp=xmp)
        data = buf.getvalue()
        info["media_type"] = "image/webp"
    elif fmt == "png":
        tiff = M.exif_for(meta, w, h, orientation=1, jpeg=False)
        buf = io.BytesIO()
        im.save(buf, "PNG", optimize=True)
        data = M.png_insert_after_ihdr(buf.getvalue(), [M.png_chunk(b"eXIf", tiff), M.png_itxt("XML:com.adobe.xmp", xmp)])
        info["media_type"] = "image/png"
    else:
        raise ValueError(fmt)
    return data, info


def toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def main() -> None:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data", "media")
    lines = [
        "# The sample pictures: one [[picture]] per file in this folder.",
        "# Written by scripts/media/make_samples.py (do not edit by hand: change the script and run it again).",
        "# width/height are as displayed (EXIF orientation applied); stored_* where the stored pixels differ.",
        "# caption_*/alt_text_* are also embedded in the file (XMP; the JPEGs' IIM has the `language` one);",
        "# alt_text is the `language` one. `articles` are the sample stories (data/articles) it suits, best first.",
        "",
    ]
    total = 0
    for sample in SAMPLES:
        data, info = build(sample)
        path = os.path.join(out_dir, sample["file"])
        M.write(path, data)
        total += len(data)
        meta: M.PhotoMeta = sample["meta"]
        print(f"{sample['file']:24} {len(data):>9} bytes  {info['width']}x{info['height']}  {', '.join(info['embedded'])}")
        lines += [
            "[[picture]]",
            f"id = {toml_str(sample['id'])}",
            f"file = {toml_str(sample['file'])}",
            f"media_type = {toml_str(info['media_type'])}",
            f"width = {info['width']}",
            f"height = {info['height']}",
        ]
        if "stored_width" in info and (info["stored_width"], info["stored_height"]) != (info["width"], info["height"]):
            lines += [f"stored_width = {info['stored_width']}", f"stored_height = {info['stored_height']}"]
        lines += [
            f"bytes = {len(data)}",
            f"sha256 = {toml_str(hashlib.sha256(data).hexdigest())}",
            f"language = {toml_str(meta.language)}",
            f"title = {toml_str(meta.title)}",
            f"caption_es = {toml_str(meta.caption['es'])}",
            f"caption_en = {toml_str(meta.caption['en'])}",
            f"alt_text = {toml_str(meta.alt_text[meta.language])}",
            f"alt_text_es = {toml_str(meta.alt_text['es'])}",
            f"alt_text_en = {toml_str(meta.alt_text['en'])}",
            f"credit = {toml_str(meta.credit)}",
            f"byline = {toml_str(meta.byline)}",
            f"copyright = {toml_str(meta.copyright)}",
            f"usage_terms = {toml_str(meta.usage_terms)}",
            f"taken_at = {toml_str(meta.created.isoformat())}",
            f"city = {toml_str(meta.city)}",
            f"country = {toml_str(meta.country)}",
            f"keywords = {toml_list(meta.keywords)}",
            f"embedded = {toml_list(info['embedded'])}",
            f"articles = {toml_list(sample['articles'])}",
            "",
        ]
    M.write(os.path.join(out_dir, "manifest.toml"), "\n".join(lines).encode("utf-8"))
    print(f"total {total} bytes in {out_dir}")


if __name__ == "__main__":
    main()
