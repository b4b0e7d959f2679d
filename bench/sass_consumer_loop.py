#!/usr/bin/env python3
"""Static SASS of the sm90 prefill kernel's consumer loop (prefill stage 14).

Usage: cuobjdump -sass -fun qmm_sm90_<name> qmm_sm90.cubin > k.sass; python3 bench/sass_consumer_loop.py k.sass ...
The consumer loop is unrolled by two K tiles: the smallest backward branch whose body holds 8 HGMMAs. Prints its
instruction count and opcode histogram.
"""
import collections
import re
import sys


def parse(path):
    ins = []
    for line in open(path):
        m = re.match(r'\s+/\*([0-9a-f]{4,})\*/\s+(.*?);', line)
        if m:
            ins.append((int(m.group(1), 16), m.group(2).strip()))
    return ins


def opcode(text):
    t = text.split()
    if t[0].startswith('@'):
        t = t[1:]
    return t[0].split('.')[0]


def consumer_loop(ins):
    index = {a: i for i, (a, _) in enumerate(ins)}
    best = None
    for i, (a, text) in enumerate(ins):
        m = re.search(r'BRA\s+(?:[A-Z0-9, ]*?)0x([0-9a-f]+)', text)
        if not m:
            continue
        target = int(m.group(1), 16)
        if target < a and target in index:
            body = ins[index[target]:i + 1]
            if sum('HGMMA' in x for _, x in body) == 8 and (best is None or len(body) < len(best)):
                best = body
    return best


for path in sys.argv[1:]:
    body = consumer_loop(parse(path))
    if body is None:
        print(f'{path}: no two-tile consumer loop found')
        continue
    ops = collections.Counter(opcode(x) for _, x in body)
    print(f'{path}: consumer loop (2 K tiles) {len(body)} instructions, {len(body) / 2:.1f} per K tile')
    print('   ', ', '.join(f'{k} {v}' for k, v in ops.most_common()))
