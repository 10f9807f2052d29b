#!/usr/bin/env python3
"""Generate canonical-JSON test vectors with Python's own json module.

The tutorial hashes a block as sha256(json.dumps(block, sort_keys=True)).
This script records, for hand-picked JSON texts and for random doubles,
exactly what Python writes, so the Go tests can compare byte for byte.

Run from this directory:  python3 gen_vectors.py > vectors.json
Only the standard library is used; the output is deterministic.
"""
import hashlib
import json
import random
import struct
import sys

# Hand-picked JSON texts as a peer might send them.
INPUTS = [
    # floats
    "1e-05", "1E-5", "0.00001", "1e+16", "1e16", "10000000000000000.0", "1e15",
    "5.0", "5", "0.1", "1700000000.123456", "-0.0", "-0", "0.0", "0",
    "1.5e300", "2.2250738585072014e-308", "5e-324", "1.7976931348623157e308",
    "0.30000000000000004", "123456789012345678", "123456789012345678.0",
    "1e22", "1e21", "9007199254740993.0", "0.0001", "0.001", "-1.5e-7",
    "100.0", "12.5", "3.14159", "1e-7", "4.35", "2.675",
    # ints beyond 64 bits
    "18446744073709551615", "18446744073709551616", "-9223372036854775809",
    "123456789012345678901234567890123456789012345678901234567890",
    # strings: unicode, emoji, control characters, escapes
    '"caf\\u00e9"', '"café"', '"\\ud83d\\ude00"', '"😀 ok"', '"中文 节点"',
    '"tab\\there"', '"nl\\nret\\r"', '"\\b\\f"', '"\\u0000\\u001f\\u007f"',
    '"quote\\" back\\\\ slash\\/"', '"\\u2028\\u2029"', '"\u00a0nbsp"', '"~ del\x7f"',
    # structures
    "[]", "{}", "[1, 2.0, \"x\", null, true, false]",
    '{"b": 1, "a": {"d": [1, {"z": 0, "y": 1.5}], "c": "é"}, "A": 2, "é": 3, "😀": 4, "e": 5}',
    '{"nested": {"deeper": {"deepest": [[], [{}], [[1e-05]]]}}}',
    '  { "spaced" :\n [ 1 , 2 ]\t}  ',
    '{"dup": 1, "dup": 2}',
]

# Texts Python's json.loads refuses; Go must refuse them too.
INVALID = ["5.", ".5", "01", "-", "1e", "+1", "[1,]", '{"a":1,}', '"\\x41"', '"\\u12"',
           '"raw\ttab"', "[1] [2]", "{'a': 1}", "tru", "1" * 4301]

# A tutorial-rules chain with awkward values, hashed by Python.
BLOCKS = [
    {"index": 1, "timestamp": 1506057125.900785, "transactions": [], "proof": 100, "prev_hash": 1},
    {"index": 2, "timestamp": 1700000000.123456,
     "transactions": [
         {"sender": "8527147fe1f5426f9dd545de4b27ee00", "recipient": "a77f5cdfa2934df3954a5c7c7da5df1f", "amount": 5},
         {"sender": "José", "recipient": "李四 😀", "amount": 0.1},
         {"sender": "ctl\n\t\"\\", "recipient": "big", "amount": 123456789012345678901234567890},
         {"sender": "tiny", "recipient": "x", "amount": 1e-05},
         {"sender": "0", "recipient": "2a35a1b48e0843269ffc5d7cd6b684e1", "amount": 12.5},
     ],
     "proof": 35293, "prev_hash": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
    {"index": 3, "timestamp": 1e+16, "transactions": [
        {"sender": "0", "recipient": "r", "amount": 12.5}], "proof": 0,
     "prev_hash": "0000000000000000000000000000000000000000000000000000000000000000"},
    {"index": 4, "timestamp": 1700000000, "transactions": [
        {"sender": "a", "recipient": "b", "amount": 5.0},
        {"sender": "0", "recipient": "r", "amount": 12.5}], "proof": 18446744073709551615,
     "prev_hash": "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
]


def main():
    values = []
    for text in INPUTS:
        v = json.loads(text)
        values.append({"input": text, "canonical": json.dumps(v, sort_keys=True)})
    invalid = []
    for text in INVALID:
        try:
            json.loads(text)
        except ValueError:
            invalid.append(text)
        else:
            raise SystemExit("Python accepted %r" % text)
    rng = random.Random(20261126)
    floats = []
    specials = [1e-05, 1e16, 1e15, 5.0, 0.1, -0.0, 1700000000.123456, 0.0001, 9.999999999999999e15]
    for f in specials:
        floats.append({"bits": struct.pack(">d", f).hex(), "repr": repr(f)})
    while len(floats) < 3000:
        mode = len(floats) % 3
        if mode == 0:  # any finite double
            bits = rng.getrandbits(64)
            f = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
            if f != f or f in (float("inf"), float("-inf")):
                continue
        elif mode == 1:  # around the decimal exponents where repr switches form
            f = rng.uniform(1, 10) * 10.0 ** rng.randint(-8, 20)
        else:  # timestamps and amounts with micro precision
            f = round(rng.uniform(0, 2e9), rng.randint(0, 6))
        floats.append({"bits": struct.pack(">d", f).hex(), "repr": repr(f)})
    blocks = []
    for b in BLOCKS:
        text = json.dumps(b, sort_keys=True)
        blocks.append({"canonical": text, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    json.dump({"generator": "gen_vectors.py, Python %d.%d" % sys.version_info[:2],
               "values": values, "invalid": invalid, "floats": floats, "blocks": blocks}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
