#!/usr/bin/env python3
"""Writes the corpus of malformed vector files next to this script, and expected.tsv, which says for each file the
format to read it as, the text the VectorFormatException message must contain, and the line (text formats) or byte
offset (binary formats) it must name ('-' when the problem has neither). MalformedCorpusTest reads them all.

Run from the repository root (the .emb4j cases start from a valid file written by ./emb4j):
    /usr/bin/python3 emb4j-core/src/test/resources/malformed/make_corpus.py
"""
import json
import os
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
cases = []


def case(name, fmt, data, expect, line="-", offset="-"):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    cases.append((name, fmt, expect, str(line), str(offset)))


def f32(*v):
    return struct.pack("<%df" % len(v), *v)


# word2vec / fastText / GloVe text
case("w2v_header_promises_more.txt", "word2vec", "3 2\na 1 2\nb 3 4\n", "file ends after 2 rows, but the header promises 3", line=4)
case("w2v_header_promises_fewer.txt", "word2vec", "1 2\na 1 2\nb 3 4\n", "more rows than the 1 the header promises", line=3)
case("w2v_bad_header.txt", "word2vec", "a 1 2\n", "expected a header '<rows> <dim>'", line=1)
case("w2v_row_too_short.txt", "word2vec", "2 3\na 1 2 3\nb 1 2\n", "row 'b' has 2 values, expected 3", line=3)
case("w2v_row_too_long.txt", "word2vec", "1 2\na 1 2 3 4\n", "row 'a' has more than 2 values (4)", line=2)
case("w2v_header_too_big.txt", "word2vec", "1000000000000 300\na 1\n", "header promises 1000000000000 rows of 300 values, but the 4 bytes after it cannot hold them", line=1)
case("w2v_empty.txt", "word2vec", "", "file is empty", line=1)
case("glove_invalid_utf8.txt", "glove", b"ok 1 2\nbad\xff\xfe 3 4\n", "invalid UTF-8 in the token at byte offset 10", line=2)
case("glove_nan.txt", "glove", "a nan 2\n", "value 'nan' is not finite", line=1)
case("glove_inf.txt", "glove", "a 1 -Infinity\n", "value '-Infinity' is not finite", line=1)
case("glove_overflow.txt", "glove", "a 1 1e39\n", "value '1e39' overflows float32", line=1)
case("glove_not_a_number.txt", "glove", "a 1 0.5x\n", "value '0.5x' is not a decimal number", line=1)
case("glove_hex_float.txt", "glove", "a 1 0x1p3\n", "value '0x1p3' is not a decimal number", line=1)
case("glove_duplicate.txt", "glove", "cat 1 2\ndog 3 4\ncat 5 6\n", "duplicate token 'cat': first at line 1", line=3)
case("glove_ragged.txt", "glove", "a 1 2 3\nb 1 2\n", "row 'b' has 2 values, expected 3", line=2)
case("fasttext_blank_line.vec", "fasttext", "2 2\na 1 2 \n\nb 3 4 \n", "line is empty", line=3)
case("fasttext_leading_space.vec", "fasttext", "1 2\n a 1 2\n", "line starts with whitespace", line=2)

# word2vec binary
good_bin = b"2 3\n" + b"a " + f32(1, 2, 3) + b"\n" + b"b " + f32(4, 5, 6) + b"\n"
case("w2v_bin_truncated_values.bin", "word2vec-bin", good_bin[:-6], "file is truncated: the values of row 1 ('b'): 12 bytes needed", offset=21)
case("w2v_bin_truncated_token.bin", "word2vec-bin", b"2 1\na " + f32(1) + b"\nbb", "file is truncated: row 1 of 2 starts here", offset=11)
case("w2v_bin_nan.bin", "word2vec-bin", b"1 2\na " + f32(1, float("nan")), "row 0, column 1 is NaN", offset=10)
case("w2v_bin_invalid_utf8.bin", "word2vec-bin", b"1 1\n\xc3\x28 " + f32(1), "invalid UTF-8 in the token of row 0", offset=4)
case("w2v_bin_trailing.bin", "word2vec-bin", good_bin + b"junk", "unexpected bytes after the 2 rows", offset=len(good_bin))
case("w2v_bin_duplicate.bin", "word2vec-bin", b"2 1\na " + f32(1) + b"\na " + f32(2) + b"\n", "duplicate token 'a': first at row 0", offset=11)
case("w2v_bin_header_too_big.bin", "word2vec-bin", b"3000000000 2000000000\na ", "header promises 3000000000 rows of 2000000000 float32", offset=0)
case("w2v_bin_bad_header.bin", "word2vec-bin", b"two 1\n", "expected a header", offset=0)


# NumPy
def npy(descr, shape, payload, fortran=False, magic=b"\x93NUMPY"):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape)
    total = 10 + len(d) + 1
    pad = (64 - total % 64) % 64
    h = (d + " " * pad + "\n").encode("latin1")
    return magic + b"\x01\x00" + struct.pack("<H", len(h)) + h + payload


case("npy_f64.npy", "npy", npy("<f8", "(1, 1)", b"\0" * 8), "dtype '<f8' is not supported", offset=10)
case("npy_int.npy", "npy", npy("<i4", "(1, 1)", b"\0" * 4), "dtype '<i4' is not supported", offset=10)
case("npy_fortran.npy", "npy", npy("<f4", "(2, 2)", f32(1, 2, 3, 4), fortran=True), "Fortran order", offset=10)
case("npy_3d.npy", "npy", npy("<f4", "(1, 1, 1)", f32(1)), "shape [1, 1, 1] is not a table", offset=10)
case("npy_1d.npy", "npy", npy("<f4", "(3,)", f32(1, 2, 3)), "shape [3] is not a table", offset=10)
case("npy_truncated.npy", "npy", npy("<f4", "(2, 2)", f32(1, 2, 3)), "file is truncated: shape [2, 2] of '<f4': 16 bytes needed", offset=len(npy("<f4", "(2, 2)", b"")))
case("npy_trailing.npy", "npy", npy("<f4", "(1, 1)", f32(1, 2)), "4 unexpected bytes after the data", offset=len(npy("<f4", "(1, 1)", b"")) + 4)
case("npy_bad_magic.npy", "npy", npy("<f4", "(1, 1)", f32(1), magic=b"\x93NUMPX"), "not a .npy file", offset=5)
case("npy_inf.npy", "npy", npy(">f4", "(1, 2)", struct.pack(">2f", 1, float("inf"))), "row 0, column 1 is Infinity", offset=len(npy(">f4", "(1, 2)", b"")) + 4)
case("npy_bad_dict.npy", "npy", npy("<f4", "(1, 1", f32(1)), "malformed .npy header", offset="-")
case("npy_version9.npy", "npy", b"\x93NUMPY\x09\x00" + b"\0" * 60, ".npy format version 9.0 is not supported", offset=6)


# safetensors
def st(header, payload, pad=True, length=None):
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h) if length is None else length) + h + payload


t23 = {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
case("st_header_too_long.safetensors", "safetensors", st({"w": t23}, f32(*range(6)), length=10**12), "header length 1000000000000 exceeds the limit", offset=0)
case("st_header_past_end.safetensors", "safetensors", st({"w": t23}, b"", length=4096), "file is truncated: the header needs 4096 bytes", offset=8)
case("st_bad_json.safetensors", "safetensors", struct.pack("<Q", 8) + b'{"w": 1,' , "header is not valid JSON", offset="-")
case("st_offsets_mismatch.safetensors", "safetensors", st({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}, f32(*range(5))), "needs 24 bytes, but data_offsets [0, 20] span 20", offset=8)
case("st_i64.safetensors", "safetensors", st({"w": {"dtype": "I64", "shape": [1, 1], "data_offsets": [0, 8]}}, b"\0" * 8), "dtype I64; vectors must be F32, F16 or BF16", offset=8)
case("st_unknown_dtype.safetensors", "safetensors", st({"w": {"dtype": "F128", "shape": [1, 1], "data_offsets": [0, 16]}}, b"\0" * 16), "unknown dtype 'F128'", offset=8)
case("st_two_2d.safetensors", "safetensors", st({"a": {"dtype": "F32", "shape": [1, 1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1, 1], "data_offsets": [4, 8]}}, f32(1, 2)), "several 2-D tensors [a, b]")
case("st_truncated.safetensors", "safetensors", st({"w": t23}, f32(1, 2, 3)), "file is truncated: the tensors need 24 bytes of data", offset=len(st({"w": t23}, b"")))
case("st_gap.safetensors", "safetensors", st({"w": {"dtype": "F32", "shape": [1, 1], "data_offsets": [4, 8]}}, f32(0, 1)), "starts at data offset 4, expected 0", offset=8)
case("st_trailing.safetensors", "safetensors", st({"w": {"dtype": "F32", "shape": [1, 1], "data_offsets": [0, 4]}}, f32(1, 2)), "4 unexpected bytes after the last tensor's data")
case("st_nan.safetensors", "safetensors", st({"w": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [0, 4]}}, b"\x80\x3f\xc0\x7f"), "row 0, column 1 is NaN")
case("st_token_count.safetensors", "safetensors", st({"__metadata__": {"emb4j.tokens": '["a"]'}, "w": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]}}, f32(1, 2)), "must be a JSON array of 2 strings (one per row), got an array of 1", offset=8)
case("st_duplicate_tokens.safetensors", "safetensors", st({"__metadata__": {"emb4j.tokens": '["a","a"]'}, "w": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]}}, f32(1, 2)), "duplicate token 'a': first at row 0")
case("st_metadata_not_string.safetensors", "safetensors", st({"__metadata__": {"k": 1}, "w": {"dtype": "F32", "shape": [1, 1], "data_offsets": [0, 4]}}, f32(1)), "__metadata__ value of 'k' is not a string", offset=8)
case("st_invalid_utf8_header.safetensors", "safetensors", struct.pack("<Q", 8) + b'{"\xff":1} ', "invalid UTF-8 in the JSON header", offset=10)
case("st_short.safetensors", "safetensors", b"\x08\x00\x00", "the 8-byte header length needs 8 bytes, the file has 3", offset=0)

# emb4j tables: a valid file written by emb4j, then damaged
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "t.txt")
    with open(src, "w") as f:
        f.write("2 3\nab 1 2 3\ncd 4 5 6\n")
    good = os.path.join(tmp, "t.emb4j")
    subprocess.run([os.path.join(ROOT, "emb4j"), "vectors", "convert", src, good], check=True, stdout=subprocess.DEVNULL)
    with open(good, "rb") as f:
        table = f.read()
(hlen,) = struct.unpack("<i", table[12:16])
data = 16 + hlen
flipped = bytearray(table)
flipped[data + 5] ^= 0x01
case("emb4j_bad_checksum.emb4j", "emb4j", bytes(flipped), "checksum mismatch", offset=len(table) - 4)
case("emb4j_truncated.emb4j", "emb4j", table[: data + 10], "file is truncated: the 2 x 3 rows and the checksum: 28 bytes needed", offset=data)
case("emb4j_bad_magic.emb4j", "emb4j", b"EMB4JCKP" + table[8:], "not an emb4j table", offset=0)
case("emb4j_version.emb4j", "emb4j", table[:8] + struct.pack("<i", 7) + table[12:], "format version 7 is not supported", offset=8)
case("emb4j_header_length.emb4j", "emb4j", table[:12] + struct.pack("<i", -5) + table[16:], "header length -5 is not in 2..", offset=12)

with open(os.path.join(HERE, "expected.tsv"), "w") as f:
    f.write("# file\tformat\tmessage contains\tline\toffset  (written by make_corpus.py)\n")
    for c in cases:
        f.write("\t".join(c) + "\n")
print("wrote", len(cases), "malformed files")
