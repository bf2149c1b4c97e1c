"""Compile the .po catalogues into .mo files with polib, so a fresh machine
needs no system gettext. `python -m portal.platform.i18n` (the setup step runs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, quiet: bool = False) -> int:
    count = 0
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    if not quiet and count:
        print(f"• Compiled {count} translation catalogue(s)")
    return count


if __name__ == "__main__":
    compile_catalogues()
    sys.exit(0)
