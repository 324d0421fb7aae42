"""The CJK font documents are set in: shipped by a PyPI package, never looked up on the system.

WenQuanYi Micro Hei (文泉驿微米黑) has TrueType outlines, so every PDF reader shows it and text
extraction gives the characters back exactly; the package is a dependency of the project.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

FONT_PACKAGE = "paperang_p2_fonts_cjk"


def cjk_font_path() -> Path:
    """The font file (a TrueType collection; its first face is the proportional one)."""
    path = Path(str(files(FONT_PACKAGE) / "fonts" / "wqy-microhei.ttc"))
    if not path.is_file():  # a broken install, not a missing system font
        raise FileNotFoundError(f"the CJK font of {FONT_PACKAGE} is missing: {path}")
    return path
