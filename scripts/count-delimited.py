#!/usr/bin/env python3
"""Count varint-length-delimited protobuf messages (goflow2 -format bin)."""
import sys

data = open(sys.argv[1], "rb").read()
i = n = 0
while i < len(data):
    size = shift = 0
    while True:
        b = data[i]
        i += 1
        size |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    i += size
    n += 1
print(n)
