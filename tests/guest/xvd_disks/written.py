#!/usr/bin/env python3
"""written.py IMAGE SIZE SECTOR BYTE: IMAGE is tools/mkdisk's `sectors` pattern of SIZE except
sectors SECTOR..SECTOR+7, which are all BYTE (exit 1 and say where otherwise)."""
import subprocess
import sys

img, size, sector, byte = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0)
subprocess.run([sys.path[0] + "/../../../tools/mkdisk", img + ".want", size, "sectors"], check=True)
got, want = open(img, "rb").read(), bytearray(open(img + ".want", "rb").read())
want[sector * 512:(sector + 8) * 512] = bytes([byte]) * 4096
if got != bytes(want):
    first = next(i for i in range(len(want)) if i >= len(got) or got[i] != want[i])
    sys.exit(f"{img}: differs from the expected image at byte {first} (sector {first // 512})")
