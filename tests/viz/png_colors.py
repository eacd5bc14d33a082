#!/usr/bin/env python3
"""Decodes an 8-bit RGB or RGBA PNG with zlib alone (no imaging library) and prints what a
screenshot test checks: "<width> <height> <distinct colours> <share of pixels unlike the most
common colour> <pixels of each colour given as RRGGBB arguments, within a small tolerance>".
Used by kiln/viz/embedding_map_test.cpp on Chromium's screenshot of the embedding page."""
import collections
import struct
import sys
import zlib


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"png_colors: {path} is not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, color_type, _, _, interlace = header
    if depth != 8 or color_type not in (2, 6) or interlace:
        sys.exit(f"png_colors: unsupported PNG (depth {depth}, colour type {color_type}, "
                 f"interlace {interlace})")
    bpp = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        # The five PNG row filters, undone in place.
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    pixels = collections.Counter()
    for line in rows:
        for x in range(0, stride, bpp):
            pixels[line[x:x + 3]] += 1
    return width, height, pixels


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: png_colors.py PNG [RRGGBB...]")
    width, height, pixels = decode(sys.argv[1])
    total = width * height
    background = pixels.most_common(1)[0][1]
    counts = []
    for hex_color in sys.argv[2:]:
        want = bytes.fromhex(hex_color)
        # Anti-aliased edges blend; the centres of the dots keep the colour within a few units.
        counts.append(sum(n for rgb, n in pixels.items()
                          if all(abs(a - b) <= 8 for a, b in zip(rgb, want))))
    print(width, height, len(pixels), f"{(total - background) / total:.4f}", *counts)


main()
