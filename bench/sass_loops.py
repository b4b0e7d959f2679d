"""Instruction counts of the loops in NVIDIA Vulkan pipeline-cache blobs (stage 12, bench-only).

qmv_stats --ir DIR writes each qmv pipeline's cache blob (`.cache`). NVIDIA's blob (driver 580) is a
header, then a zstd stream (magic 28 b5 2f fd) holding the compiled program as raw sm_90 instructions
after a driver header (at 0x198 of the stream with driver 580.159.04). This decompresses that,
disassembles it with nvdisasm (-b SM90: raw instruction binary; e.g. triton's copy in the venv) and
prints, per loop (a backward BRA), its instruction count by opcode.
Usage: python3 bench/sass_loops.py [--dump] FILE.cache...  (NVDISASM=path, default: triton's)
"""
import collections
import os
import re
import subprocess
import sys

ND = os.environ.get("NVDISASM", "/work/main/.venv/lib/python3.11/site-packages/triton/backends/nvidia/bin/nvdisasm")


def program(path):
    """The raw instructions of the cache blob at path."""
    blob = open(path, "rb").read()
    z = blob.find(b"\x28\xb5\x2f\xfd")
    if z < 0:
        sys.exit(f"{path}: no zstd stream (not an NVIDIA cache blob?)")
    d = subprocess.run(["zstd", "-d", "-c"], input=blob[z:], capture_output=True, check=True).stdout
    # Driver 580: the program starts at 0x198 of the stream; the word at 0x20 is its length plus a
    # 592-byte trailer (Binary Size = that word - 592 in every blob read so far).
    return d[0x198:0x198 + int.from_bytes(d[0x20:0x24], "little")]


def sass(path):
    """[(address, instruction text)] of the program: the longest prefix of it (the length field
    also counts a trailer) that nvdisasm takes as whole instructions."""
    code = program(path)
    tmp = "/tmp/sass_loops.bin"
    n = len(code) // 16 * 16
    r = None
    for cut in range(n, max(n - 16 * 64, 0), -16):
        open(tmp, "wb").write(code[:cut])
        r = subprocess.run([ND, "-b", "SM90", tmp], capture_output=True, text=True)
        if r.returncode == 0 and "EXIT" in r.stdout:
            break
    if r is None or r.returncode != 0:
        sys.exit(f"{path}: nvdisasm did not take the program")
    ins = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*/\*([0-9a-f]+)\*/\s+(.*?);", line)
        if m:
            ins.append((int(m.group(1), 16), m.group(2).strip()))
    return ins


def opcode(text):
    return re.sub(r"^@!?U?P\w+\s+", "", text).split()[0]


def loops(ins):
    out = []
    for a, t in ins:
        m = re.search(r"BRA (?:\S+ )?(0x[0-9a-f]+)", t)
        if m and opcode(t).startswith("BRA") and int(m.group(1), 16) < a:
            out.append((int(m.group(1), 16), a))
    return out


if __name__ == "__main__":
    dump = "--dump" in sys.argv
    for p in [a for a in sys.argv[1:] if a != "--dump"]:
        ins = sass(p)
        print(f"== {os.path.basename(p)}: {len(ins)} instructions")
        for s, e in loops(ins):
            body = [t for a, t in ins if s <= a <= e]
            c = collections.Counter(opcode(t) for t in body)
            print(f"  loop {s:#x}-{e:#x}: {len(body)} instructions: " + " ".join(f"{k}:{v}" for k, v in c.most_common(16)))
        if dump:
            for a, t in ins:
                print(f"{a:#07x}  {t}")
