"""Find a TrueType font pair (regular + bold) that covers Vietnamese.

Nothing is shipped: the kiosk uses Debian's ``fonts-noto-core`` (Noto Sans, preferred:
compact and very legible) or ``fonts-dejavu-core``. A font dropped into
``assets/fonts/`` wins over both. Every candidate is checked for every Vietnamese
letter before it is used, so a printout never shows empty boxes instead of "ữ".
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from printing.errors import FontNotFound

log = logging.getLogger(__name__)

REPO_FONTS = Path(__file__).resolve().parents[1] / "assets" / "fonts"
CANDIDATES: tuple[tuple[Path, str, str], ...] = (
    (REPO_FONTS, "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (Path("/usr/share/fonts/truetype/noto"), "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (Path("/usr/share/fonts/truetype/dejavu"), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
INSTALL_HINT = "apt install fonts-noto-core (hoặc fonts-dejavu-core)"

_VI_LOWER = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
VIETNAMESE = _VI_LOWER + _VI_LOWER.upper() + "0123456789.,:;–-()/%"


@dataclass(frozen=True, slots=True)
class FontPair:
    regular: Path
    bold: Path


def _covers(path: Path) -> bool:
    from fontTools.ttLib import TTFont  # fpdf2 depends on fontTools

    try:
        with TTFont(path, lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except Exception as exc:  # unreadable or not a font
        log.warning("font %s unreadable: %s", path, exc)
        return False
    missing = [ch for ch in VIETNAMESE if ord(ch) not in cmap]
    if missing:
        log.warning("font %s lacks %s", path, "".join(missing[:10]))
    return not missing


@functools.lru_cache(maxsize=1)
def find_fonts() -> FontPair:
    """The first installed regular/bold pair covering Vietnamese, or FontNotFound."""
    looked: list[str] = []
    for folder, regular, bold in CANDIDATES:
        pair = FontPair(folder / regular, folder / bold)
        looked.append(str(pair.regular))
        if pair.regular.is_file() and pair.bold.is_file() and _covers(pair.regular) and _covers(pair.bold):
            log.debug("using fonts %s", pair)
            return pair
    raise FontNotFound(
        "Không tìm thấy phông chữ tiếng Việt để in phiếu",
        f"đã tìm: {', '.join(looked)}; cài: {INSTALL_HINT}",
    )


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ward-kiosk" / "print-fonts"


def _without_ps_name(src: Path, folder: Path) -> Path:
    """A copy of ``src`` without its PostScript name (name ID 6), made once and cached."""
    from fontTools.ttLib import TTFont

    stat = src.stat()
    dst = folder / f"{src.stem}-{stat.st_size}-{int(stat.st_mtime)}.ttf"
    if dst.is_file():
        return dst
    font = TTFont(src)
    font["name"].names = [n for n in font["name"].names if n.nameID != 6]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(f".{os.getpid()}.tmp")
    font.save(tmp)
    tmp.replace(dst)
    return dst


@functools.lru_cache(maxsize=1)
def pdf_fonts() -> FontPair:
    """The fonts to embed in PDFs: ``find_fonts()`` without the PostScript name.

    Why: on the way to a PostScript printer (or cups-pdf) CUPS converts the PDF with
    poppler/cairo, which splits each embedded font into two 8-bit fonts and names both
    after the font's PostScript name; Ghostscript then mixes the two up, so letters such
    as "ụ", "ế", "ờ" print misplaced and the text cannot be searched. Without that name,
    cairo gives every part its own name and the page comes out right.
    """
    pair = find_fonts()
    for folder in (_cache_dir(), Path(tempfile.gettempdir()) / f"ward-kiosk-print-fonts-{os.getuid()}"):
        try:
            return FontPair(_without_ps_name(pair.regular, folder), _without_ps_name(pair.bold, folder))
        except OSError as exc:  # read-only home on a locked-down kiosk: try the temp dir
            log.warning("cannot cache print fonts in %s: %s", folder, exc)
    return pair
