"""Draw the listing icons apachemw ships (apachemw/icons/*.png, 20x22 like Apache's).

Run ``python contrib/make_icons.py`` to write them again; they are drawn here from
the pixel maps below (our own drawings, no third-party image), as 8-bit palette PNGs.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "apachemw" / "icons"

# '.' transparent, 'k' outline, 'w' paper, then marks.
PALETTE = {
    ".": (255, 255, 255, 0),
    "k": (40, 40, 40, 255),
    "w": (255, 255, 255, 255),
    "g": (150, 150, 150, 255),
    "y": (240, 190, 60, 255),
    "o": (200, 140, 30, 255),
    "b": (60, 110, 200, 255),
    "r": (200, 60, 60, 255),
    "n": (70, 160, 80, 255),
}

PAGE = [
    "....kkkkkkkkkk......",
    "....kwwwwwwwwkk.....",
    "....kwwwwwwwwkwk....",
    "....kwwwwwwwwkkkk...",
    "....kwwwwwwwwwwwk...",
]
BOTTOM = ["....kwwwwwwwwwwwk..."] * 2 + ["....kkkkkkkkkkkkk..."]


def page(marks: list[str]) -> list[str]:
    """A page with its corner folded; ``marks`` are the 14 rows in between."""
    body = [f"....kww{row:<8}wk..." for row in marks]
    return PAGE + body + BOTTOM


ICONS = {
    "blank": ["." * 20] * 22,
    "text": page(
        [
            "",
            "ggggggg",
            "",
            "ggggggg",
            "",
            "gggggg",
            "",
            "ggggggg",
            "",
            "gggg",
            "",
            "ggggggg",
            "",
            "",
        ]
    ),
    "image": page(
        [
            "",
            "",
            "bbbbbbb",
            "bbbbbyb",
            "bbbbbbb",
            "bnbbbbb",
            "nnnbbnb",
            "nnnnnnn",
            "nnnnnnn",
            "",
            "",
            "",
            "",
            "",
        ]
    ),
    "compressed": page(
        [
            "",
            "  kkk",
            "  kyk",
            "  kkk",
            "  kyk",
            "  kkk",
            "  kyk",
            "  kkk",
            "  kyk",
            "  kkk",
            " kkkkk",
            " kyyyk",
            " kkkkk",
            "",
        ]
    ),
    "binary": page(
        [
            "",
            "k kk k",
            "kk k k",
            "",
            "k k kk",
            "kkk  k",
            "",
            "kk kkk",
            "k k  k",
            "",
            "kk k k",
            "k kk k",
            "",
            "",
        ]
    ),
    "layout": page(
        [
            "",
            "bbb ggg",
            "bbb ggg",
            "bbb ggg",
            "",
            "ggggggg",
            "ggggggg",
            "",
            "ggg rrr",
            "ggg rrr",
            "ggg rrr",
            "",
            "",
            "",
        ]
    ),
    "unknown": page(
        ["", "  kkk", " k   k", "     k", "    k", "   k", "   k", "", "   k", "", "", "", "", ""]
    ),
    "folder": [
        "....................",
        "....................",
        "....................",
        "..kkkkk.............",
        ".kyyyyyk............",
        ".kyyyyyykkkkkkkkkk..",
        ".kyyyyyyyyyyyyyyyk..",
        ".koooooooooooooooook",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".koyyyyyyyyyyyyyyyok",
        ".kooooooooooooooooook"[:20],
        ".kkkkkkkkkkkkkkkkkkk",
        "....................",
        "....................",
        "....................",
        "....................",
    ],
    "back": [
        "....................",
        "....................",
        "........k...........",
        ".......kbk..........",
        "......kbbbk.........",
        ".....kbbbbbk........",
        "....kbbbbbbbk.......",
        "...kkkkbbbkkkk......",
        "......kbbbk.........",
        "......kbbbk.........",
        "......kbbbk.........",
        "......kbbbkkkkkkkk..",
        "......kbbbbbbbbbbk..",
        "......kbbbbbbbbbbk..",
        "......kkkkkkkkkkkk..",
        "....................",
        "....................",
        "....................",
        "....................",
        "....................",
        "....................",
        "....................",
    ],
    "hand.right": [
        "....................",
        "....................",
        "....................",
        "....................",
        "...........k........",
        "...........kk.......",
        "...........knk......",
        "..kkkkkkkkkknnk.....",
        "..knnnnnnnnnnnnk....",
        "..knnnnnnnnnnnnnk...",
        "..knnnnnnnnnnnnk....",
        "..kkkkkkkkkknnk.....",
        "...........knk......",
        "...........kk.......",
        "...........k........",
        "....................",
        "....................",
        "....................",
        "....................",
        "....................",
        "....................",
        "....................",
    ],
}


def png(rows: list[str]) -> bytes:
    keys = list(PALETTE)
    width, height = 20, 22
    raw = b"".join(
        b"\0" + bytes(keys.index(c if c in PALETTE else "w") for c in row.ljust(width, ".")[:width])
        for row in (rows + ["." * width] * height)[:height]
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    plte = b"".join(bytes(PALETTE[k][:3]) for k in keys)
    trns = bytes(PALETTE[k][3] for k in keys)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", plte)
        + chunk(b"tRNS", trns)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in ICONS.items():
        (OUT / f"{name}.png").write_bytes(png(rows))


if __name__ == "__main__":
    main()
