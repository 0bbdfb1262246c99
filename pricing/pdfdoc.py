"""A small PDF writer over fpdf2 for quote sheets and reports (no Streamlit).

Text is set in DejaVu Sans (Latin, Greek, maths signs) with a CJK fallback font (Debian's
fonts-noto-cjk or fonts-ipafont) so Japanese renders; without those fonts it falls back to a
core font and spells Greek letters out. Tables size their columns from the measured width of
their text so that no word is ever split across lines, right-align numbers, and print empty
cells as blanks (never "None").
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Body fonts tried in order (Latin, Greek, maths signs).
BODY_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)
#: CJK fonts tried in order for Japanese text (fonts-noto-cjk, fonts-ipafont).
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
_LATIN = {
    "λ": "lambda",
    "γ": "gamma",
    "δ": "delta",
    "η": "eta",
    "ρ": "rho",
    "θ": "theta",
    "κ": "kappa",
    "π": "pi",
    "α": "alpha",
    "β": "beta",
    "σ": "sigma",
    "−": "-",
    "–": "-",
    "—": "-",
    "≥": ">=",
    "≤": "<=",
    "…": "...",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "×": "x",
    "÷": "/",
    "≈": "~",
    "¥": "JPY ",
}
_NUMBER = re.compile(
    r"^[-+−]?((USD|JPY|HKD|EUR|KRW|SGD|AED) |¥|\$|€|HK\$|S\$|₩)?[-+−]?[\d,]*\.?\d+"
    r"( ?(%|m|bn|k|×))?(万|億|兆)?(円| (USD|JPY|HKD|EUR|KRW|SGD|AED))?$"
)


def is_number_text(text: str) -> bool:
    """Whether a cell's text is a number (amount, share, count) to be right-aligned."""
    return bool(_NUMBER.match(text.strip())) if text.strip() else False


#: Units a line may not break inside: a Latin word, or a run of up to four CJK characters
#: (Japanese breaks between characters; four keeps short terms such as 保険料 whole).
_CJK = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_BREAKABLE = re.compile(f"[{_CJK}]{{1,4}}|[^\\s{_CJK}]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell_text(value: Any) -> str:
    """A value as printable text: blanks for None/NaN (never "None"), control characters
    removed."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _CONTROL.sub("", str(value))


class Document:
    """A PDF document: headings, paragraphs, tables with measured columns, images."""

    def __init__(
        self,
        title: str,
        *,
        orientation: str = "P",
        body_fonts: Sequence[str | Path] = BODY_FONTS,
        cjk_fonts: Sequence[str | Path] = CJK_FONTS,
    ) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(orientation=orientation, unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=14)
        self.pdf.set_margins(14, 14, 14)
        self.pdf.set_title(title)
        self.pdf.set_creator("Vaultcover")
        self.unicode = False
        self.cjk = False
        self.family = "helvetica"
        for path in body_fonts:
            regular = Path(path)
            if regular.is_file():
                stem = regular.stem.removesuffix("-Regular")
                bold = regular.with_name(f"{stem}-Bold{regular.suffix}")
                self.pdf.add_font("body", "", str(regular))
                self.pdf.add_font("body", "B", str(bold if bold.is_file() else regular))
                self.family, self.unicode = "body", True
                break
        if self.unicode:
            for path in cjk_fonts:
                if Path(path).is_file():
                    extra = {"collection_font_number": 0} if str(path).endswith(".ttc") else {}
                    self.pdf.add_font("cjk", "", str(path), **extra)
                    self.pdf.add_font("cjk", "B", str(path), **extra)
                    self.pdf.set_fallback_fonts(["cjk"])
                    self.cjk = True
                    break
        self.pdf.add_page()

    @property
    def width(self) -> float:
        """Usable page width (mm)."""
        return float(self.pdf.epw)

    def text(self, value: Any) -> str:
        """Text the chosen font can print."""
        s = cell_text(value)
        if self.unicode:
            return s
        for k, v in _LATIN.items():
            s = s.replace(k, v)
        return s.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 13) -> None:
        """A bold heading."""
        self.pdf.set_font(self.family, "B", size)
        self.pdf.ln(2)
        self.pdf.multi_cell(0, 0.5 * size + 1, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: int = 9, bold: bool = False) -> None:
        """A paragraph (lines break at spaces)."""
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(
            0, 0.5 * size, self.text(text), align="L", new_x="LMARGIN", new_y="NEXT"
        )

    def bullets(self, lines: Sequence[str], size: int = 9) -> None:
        """One bullet per non-empty line."""
        for line in lines:
            if line.strip():
                self.paragraph(f"•  {line.strip()}", size=size)

    def link(self, text: str, url: str, size: int = 8) -> None:
        """A clickable link on its own line."""
        self.pdf.set_font(self.family, "", size)
        self.pdf.set_text_color(0, 70, 160)
        self.pdf.multi_cell(0, 0.5 * size, self.text(text), link=url, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0, 0, 0)

    def _widths(self, rows: Sequence[Sequence[str]], size: float) -> list[float]:
        """Column widths: each at least its longest word (header included), the rest of the
        page shared in proportion to the columns' full text widths."""
        pad = 2.4
        pdf = self.pdf
        n = len(rows[0])
        least, full = [0.0] * n, [0.0] * n
        for r, row in enumerate(rows):
            pdf.set_font(self.family, "B" if r == 0 else "", size)
            for j, value in enumerate(row):
                words = _BREAKABLE.findall(value) or [""]
                least[j] = max(least[j], max(pdf.get_string_width(w) for w in words) + pad)
                full[j] = max(full[j], pdf.get_string_width(value) + pad)
        if sum(least) > self.width:
            raise ValueError("table too wide for the page")
        if sum(full) <= self.width:
            return [f * self.width / sum(full) for f in full]
        spare = self.width - sum(least)
        extra = [f - m for f, m in zip(full, least, strict=True)]
        total = sum(extra) or 1.0
        return [m + spare * e / total for m, e in zip(least, extra, strict=True)]

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        size: float = 8,
        align: Sequence[str] | None = None,
    ) -> None:
        """A table; numbers right-aligned unless ``align`` gives "L"/"R"/"C" per column."""
        from fpdf.enums import Align

        body = [[self.text(v) for v in row] for row in rows]
        head = [self.text(h) for h in header]
        while True:
            try:
                widths = self._widths([head, *body], size)
                break
            except ValueError:
                if size <= 5:
                    raise
                size -= 0.5
        if align is None:
            align = [
                "R"
                if body
                and all(is_number_text(r[j]) or not r[j] for r in body)
                and any(r[j] for r in body)
                else "L"
                for j in range(len(head))
            ]
        self.pdf.set_font(self.family, "", size)
        with self.pdf.table(
            col_widths=tuple(widths),
            width=self.width,
            line_height=size * 0.5,
            text_align=tuple(Align.coerce(a) for a in align),
            first_row_as_headings=True,
            padding=1,
        ) as table:
            for values in [head, *body]:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.pdf.ln(2)

    def image(self, png: bytes, width: float | None = None) -> None:
        """A PNG (e.g. a chart rendered by kaleido) at ``width`` mm (default: full width)."""
        self.pdf.image(io.BytesIO(png), w=width or self.width)
        self.pdf.ln(2)

    def output(self) -> bytes:
        """The PDF's bytes."""
        return bytes(self.pdf.output())


def chart_png(fig: Any, width: int = 1000, height: int = 520, attempts: int = 3) -> bytes | None:
    """A plotly figure as PNG through kaleido and Debian's chromium.

    Retried (a busy machine can make chromium miss kaleido's start-up window); None when
    kaleido or chromium is missing or keeps failing, and the caller says so in the document.
    """
    import time

    for attempt in range(attempts):
        try:
            return bytes(fig.to_image(format="png", width=width, height=height, scale=1.5))
        except Exception:  # kaleido/chromium missing or failed to start
            if attempt == attempts - 1:
                return None
            time.sleep(1.0 + attempt)
    return None
