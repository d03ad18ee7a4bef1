#!/usr/bin/env python3
"""damage.py IMAGE dir|file NAME|truncate BYTES: damage a program disk (docs/diskfs.md) as a
hostile or broken disk would be: a byte of the directory changed (its checksum no longer
matches), a byte of file NAME changed (its checksum no longer matches), or the image cut
to BYTES (the last file runs past the end)."""
import struct
import sys


def main(argv):
    path, how = argv[1], argv[2]
    with open(path, "r+b") as f:
        d = bytearray(f.read())
        if how == "dir":
            d[64 + 5] ^= 0x01                           # entry 0's name, sixth character
        elif how == "file":
            count = struct.unpack_from("<I", d, 12)[0]
            for i in range(count):
                name, first, length = struct.unpack_from("<32sQQ", d, 64 * (1 + i))
                if name.rstrip(b"\0").decode() == argv[3]:
                    d[first * 512 + length // 2] ^= 0xFF
                    break
            else:
                sys.exit("damage.py: no file " + argv[3])
        elif how == "truncate":
            d = d[: int(argv[3])]
        else:
            sys.exit(__doc__)
        f.seek(0)
        f.truncate()
        f.write(d)


if __name__ == "__main__":
    main(sys.argv)
