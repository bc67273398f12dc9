#!/usr/bin/python3
"""Generates the quantized-table goldens replayed by emb4j-core's dev.emb4j.store.QuantizedGoldenTest.

Run with the system interpreter that has the pinned oracle installed (torch 1.13.1 CPU, built without FBGEMM, so the
ops below run PyTorch's reference loops):

    /usr/bin/python3 tools/golden/generate_quantized_goldens.py

Writes (deterministically, fixed seeds) emb4j-core/src/test/resources/golden/quantized_cases.json.

Each table is a float32 weight (V x D) with ordinary and awkward rows (constant, all zero, -0.0 before 0.0, tiny and
large ranges, a single outlier). For each of 8 and 4 bits it holds the rows that
torch.ops.quantized.embedding_bag_byte_prepack / embedding_bag_4bit_prepack make of it, and bag lookups with
torch.ops.quantized.embedding_bag_byte_rowwise_offsets / embedding_bag_4bit_rowwise_offsets over those rows (these
ops sum whatever their mode argument; PyTorch 1.13 has no padding_idx for them).

Schema: {"torch_version", "generator", "tables": [table...]} with

  table = {
    "name":   str,
    "weight": {"shape": [V, D], "data": [V*D floats, row-major]},
    "int8":   {"prepacked": hex of the V x (D + 8) uint8 rows, "bags": [bag...]},
    "int4":   {"prepacked": hex of the V x (D/2 + 4) uint8 rows, "bags": [bag...]}
  }
  bag = {
    "name": str,
    "indices": [ints],
    "offsets": [ints],                  (as given to the op)
    "include_last_offset": bool,
    "per_sample_weights": [floats] | null,
    "output": {"shape": [B, D], "data": [floats]}
  }

Floats are the exact float32 values written as JSON numbers (every float32 is exactly representable as a double).
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "emb4j-core", "src", "test", "resources", "golden", "quantized_cases.json")

OPS = {
    "int8": (torch.ops.quantized.embedding_bag_byte_prepack, torch.ops.quantized.embedding_bag_byte_rowwise_offsets),
    "int4": (torch.ops.quantized.embedding_bag_4bit_prepack, torch.ops.quantized.embedding_bag_4bit_rowwise_offsets),
}


def ften(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def weight(seed, v, d):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(v, d, generator=g)
    w[0] = 0.0  # all zero
    w[1] = 0.75  # constant
    w[2] = torch.randn(d, generator=g) * 1e-6  # tiny range
    w[3] = torch.randn(d, generator=g) * 300.0  # large magnitudes (fp16 scale and bias still finite)
    w[4] = torch.randn(d, generator=g)
    w[4, d // 2] = 40.0  # one outlier stretches the range
    w[5] = torch.tensor([(-0.0 if j % 2 == 0 else 0.0) for j in range(d)])  # -0.0 first: min_element keeps it
    w[6] = torch.arange(d, dtype=torch.float32) / max(d - 1, 1)  # evenly spaced: many values halfway between steps
    return w


def bags(seed, v, d, kind, prepacked):
    g = torch.Generator().manual_seed(seed + 1000)
    _, op = OPS[kind]
    out = []

    def case(name, indices, offsets, include_last, psw):
        ind = torch.tensor(indices, dtype=torch.int64)
        off = torch.tensor(offsets, dtype=torch.int64)
        w = None if psw is None else torch.tensor(psw, dtype=torch.float32)
        y = op(prepacked, ind, off, per_sample_weights=w, include_last_offset=include_last)
        out.append({
            "name": name,
            "indices": indices,
            "offsets": offsets,
            "include_last_offset": include_last,
            "per_sample_weights": None if w is None else [float(x) for x in w.tolist()],
            "output": ften(y),
        })

    n = 60
    ind = torch.randint(0, v, (n,), generator=g).tolist()
    case("one row per bag (a lookup)", list(range(v)), list(range(v)), False, None)
    case("bags of 1 to 10, repeated ids", ind, [0, 1, 4, 4, 12, 20, 30, 31, 41, 50], False, None)
    case("include_last_offset, empty bags", ind, [0, 0, 7, 7, 7, 19, 33, 60, 60], True, None)
    psw = (torch.randn(n, generator=g) * 2).tolist()
    case("per-sample weights", ind, [0, 3, 3, 15, 27, 40, 52], False, psw)
    case("per-sample weights, include_last_offset", ind, [0, 9, 9, 30, 60], True, psw)
    long_ind = torch.randint(0, v, (700,), generator=g).tolist()
    case("one long bag", long_ind, [0], False, None)
    case("one long weighted bag", long_ind, [0, 650], False, (torch.rand(700, generator=g) - 0.5).tolist())
    return out


def main():
    tables = []
    for name, seed, v, d in [("D2", 1, 9, 2), ("D6", 2, 12, 6), ("D16", 3, 16, 16), ("D34", 4, 10, 34),
                             ("D128", 5, 24, 128), ("D300", 6, 8, 300)]:
        w = weight(seed, v, d)
        t = {"name": name, "weight": ften(w)}
        for kind, (prepack, _) in OPS.items():
            packed = prepack(w)
            t[kind] = {"prepacked": packed.numpy().tobytes().hex(), "bags": bags(seed, v, d, kind, packed)}
        tables.append(t)
    doc = {"torch_version": torch.__version__, "generator": "tools/golden/generate_quantized_goldens.py",
           "tables": tables}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
