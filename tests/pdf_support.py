"""Test PDFs with Chinese text (fpdf2), readable by pdfplumber.

fpdf2 writes a CFF (OpenType) CJK font with an embedded CMap that pdfminer cannot decode, so the
text of such a PDF cannot be extracted. The Noto CJK font installed with Debian's fonts-noto-cjk is
CFF-only, so :func:`cjk_font` subsets it to the characters a test needs and converts the outlines
to TrueType (fontTools' cu2qu, as its ``otf2ttf`` snippet does): fpdf2 then embeds a CIDFontType2
font with Identity-H, which pdfplumber reads.
"""

from __future__ import annotations

from pathlib import Path

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_SC = 2  # Noto Sans CJK SC in the collection


_MADE: dict[frozenset[int], Path] = {}


def cjk_font(folder: Path, text: str) -> Path:
    """A TrueType font in ``folder`` holding the glyphs of ``text`` (plus ASCII); made once per
    character set and test process (a conversion takes about two seconds)."""
    key = frozenset(ord(c) for c in text)
    if key in _MADE and _MADE[key].exists():
        return _MADE[key]
    _MADE[key] = _convert(folder, text)
    return _MADE[key]


def _convert(folder: Path, text: str) -> Path:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    if not NOTO.exists():
        raise AssertionError(f"{NOTO} is missing: install Debian's fonts-noto-cjk (make system-deps)")
    font = TTFont(str(NOTO), fontNumber=_SC)
    chars = {ord(c) for c in text} | set(range(0x20, 0x7F))
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=chars)
    sub.subset(font)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"].tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(font["maxp"], attr, 0 if attr != "maxZones" else 1)
    font["maxp"].maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = folder / "cjk-test.ttf"
    font.save(str(out))
    return out


def new_pdf(folder: Path, text: str):  # -> fpdf.FPDF
    """An A4 fpdf2 document with a CJK font for ``text`` set (size 10)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(cjk_font(folder, text)))
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    return pdf
