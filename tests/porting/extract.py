#!/usr/bin/env python3
"""Writes the guide's minimal kernel (docs/porting.md, "A complete minimal kernel")
into DIR: head.S, main.c, hello.ld and build.sh exactly as the guide prints them, and
`expected`, the (d1) lines of the transcript the guide shows, and stub.S, the guide's
entry-stub example."""
import re, sys

guide, out = sys.argv[1], sys.argv[2]
text = open(guide).read()
start = text.index("A complete minimal kernel")
blocks = re.findall(r"```(\w+)\n(.*?)```", text[start:], re.S)
names = {"asm": "head.S", "ld": "hello.ld", "sh": "build.sh"}
done = set()
for lang, body in blocks:
    name = names.get(lang, "main.c" if lang == "c" else None)
    if not name or name in done:
        continue
    open(f"{out}/{name}", "w").write(body)
    done.add(name)
    if len(done) == 4:
        break
# The transcript the guide shows (the untagged block after build.sh): its domain lines.
sh = text.index("```sh", start)
after = text[text.index("\n```\n", sh) + 5:]      # past the build.sh block's closing fence
shown = re.findall(r"```\n(.*?)```", after, re.S)
if shown:
    lines = [l for l in shown[0].splitlines() if l.startswith("(d1) ")]
    open(f"{out}/expected", "w").write("".join(l + "\n" for l in lines))
    done.add("expected")
# The entry-stub example (docs/porting.md "Entry stubs: the contract").
stub = re.search(r"```asm\n(.*?)```", text[text.index("A minimal stub pair"):], re.S)
if stub:
    open(f"{out}/stub.S", "w").write(stub.group(1))
    done.add("stub.S")
missing = {"head.S", "main.c", "hello.ld", "build.sh", "expected", "stub.S"} - done
if missing:
    sys.exit(f"extract.py: the guide has no {', '.join(sorted(missing))} block after 'A complete minimal kernel'")
