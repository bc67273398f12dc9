#!/usr/bin/env python3
"""Interop goldens for emb4j's vector formats, both directions.

1. NumPy and PyTorch write .npy (float32 / float16, little- and big-endian) and safetensors files (F32, F16, BF16,
   several tensors, __metadata__) into emb4j-core/src/test/resources/interop/, with expected.json holding every value
   exactly (as the float64 of the stored element). dev.emb4j.io.InteropGoldenTest reads them in Java.
2. The emb4j command (./emb4j vectors convert) writes .npy, safetensors and .emb4j files from a text file of known
   values; NumPy and PyTorch read them back here and must find the same values and tokens.

Run from the repository root with Debian's python3-numpy and python3-torch (no safetensors package needed: the format
is parsed and written by hand here, following https://github.com/huggingface/safetensors):

    /usr/bin/python3 tools/golden/generate_interop_goldens.py

It exits non-zero if any emb4j-written file does not read back as expected.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "emb4j-core", "src", "test", "resources", "interop")
ST_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def values(t):
    """Exact values of a tensor as a flat list of Python floats (float64 holds every f32/f16/bf16 value exactly)."""
    return [float(v) for v in t.to(torch.float64).flatten().tolist()]


def tensor_bytes(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, torch tensor). Header padded with spaces to 8 bytes, as the reference writer does."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, t in tensors:
        b = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    metadata = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin : base + end])
        if info["dtype"] == "BF16":
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(bytes(raw), dtype={"F32": "<f4", "F16": "<f2"}[info["dtype"]]).copy())
        out[name] = t.reshape(info["shape"])
    return out, metadata


def write_goldens():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(20240601)
    expected = {}
    base = rng.standard_normal((7, 5)).astype(np.float32)
    for name, dtype in [("f32_le.npy", "<f4"), ("f32_be.npy", ">f4"), ("f16_le.npy", "<f2"), ("f16_be.npy", ">f2")]:
        a = base.astype(dtype)
        np.save(os.path.join(OUT, name), a)
        expected[name] = {"shape": list(a.shape), "values": [float(v) for v in a.astype(np.float64).flatten()]}

    g = torch.Generator().manual_seed(7)
    tensors = [
        ("emb.weight", torch.randn(6, 4, generator=g)),
        ("emb_half", torch.randn(4, 3, generator=g).to(torch.float16)),
        ("emb_bf16", (torch.randn(3, 6, generator=g) * 100).to(torch.bfloat16)),
        ("bias", torch.randn(5, generator=g)),
        ("step", torch.tensor([42], dtype=torch.int64)),
    ]
    metadata = {"format": "pt", "source": "generate_interop_goldens.py"}
    write_safetensors(os.path.join(OUT, "multi.safetensors"), tensors, metadata)
    expected["multi.safetensors"] = {
        "metadata": metadata,
        "tensors": {
            name: {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "values": values(t)}
            for name, t in tensors
            if t.dim() == 2
        },
    }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", len(expected), "golden files to", os.path.relpath(OUT, ROOT))


def check_emb4j_writes():
    """emb4j writes; NumPy / PyTorch read."""
    tokens = ["the", "naïve", "日本語", "cat", "x"]
    g = torch.Generator().manual_seed(11)
    table = (torch.randn(len(tokens), 6, generator=g) * 3).to(torch.float32)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.write(f"{len(tokens)} {table.shape[1]}\n")
            for tok, row in zip(tokens, table.tolist()):
                # repr of a float32 widened to float64 is exact; emb4j parses it back to the same float32
                f.write(tok + " " + " ".join(repr(float(np.float32(v))) for v in row) + "\n")

        def emb4j(*args):
            cmd = [os.path.join(ROOT, "emb4j"), "vectors", "convert", *args]
            subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

        def check(what, ok):
            print(("ok   " if ok else "FAIL ") + what)
            if not ok:
                failures.append(what)

        for dtype, np_dtype in [("f32", np.float32), ("f16", np.float16)]:
            out = os.path.join(tmp, f"out_{dtype}.npy")
            emb4j(src, out, "--drop-tokens", "--dtype", dtype)
            a = np.load(out)
            check(f"numpy reads emb4j .npy {dtype}", a.dtype == np_dtype and np.array_equal(a, table.numpy().astype(np_dtype)))

        for dtype, tdtype in [("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)]:
            out = os.path.join(tmp, f"out_{dtype}.safetensors")
            emb4j(src, out, "--dtype", dtype, "--name", "embeddings.weight")
            read, meta = read_safetensors(out)
            t = read["embeddings.weight"]
            check(
                f"torch reads emb4j safetensors {dtype}",
                t.dtype == tdtype and torch.equal(t, table.to(tdtype)) and json.loads(meta["emb4j.tokens"]) == tokens,
            )

        out = os.path.join(tmp, "out.emb4j")
        emb4j(src, out)
        with open(out, "rb") as f:
            head = f.read(16)
            (hlen,) = struct.unpack("<i", head[12:16])
            header = json.loads(f.read(hlen).decode("utf-8"))
        m = np.memmap(out, dtype="<f4", mode="r", offset=header["data_offset"], shape=(header["rows"], header["dim"]))
        check(
            "numpy memory-maps the rows of an emb4j table",
            header["data_offset"] % 64 == 0 and np.array_equal(np.asarray(m), table.numpy()),
        )
    return failures


if __name__ == "__main__":
    write_goldens()
    failed = check_emb4j_writes()
    if failed:
        print(len(failed), "interop check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all interop checks passed")
