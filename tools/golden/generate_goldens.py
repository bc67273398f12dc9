#!/usr/bin/python3
"""Generates the golden JSON files used by emb4j-core's GoldenCasesTest.

Run with the system interpreter that has the pinned oracle installed (torch 1.13.1 CPU):

    /usr/bin/python3 tools/golden/generate_goldens.py

Writes (deterministically, fixed seeds) into emb4j-core/src/test/resources/golden/:
  * spec_cases.json   - every case of docs spec section 5 (E01..E29, E23b, B01..B32 and the b/c/d variants)
  * random_cases.json - randomised Embedding / EmbeddingBag cases plus error cases

Schema (one object {"torch_version", "generator", "cases": [...]}); each case is either
  {"name", "skip": "reason", "spec_id"?}   (not expressible in Java; reported as skipped, never dropped)
or
  {"name", "spec_id"?, "op": "embedding"|"embedding_bag",
   "weight": {"shape", "data"}, "options": {...}, "input": {"dtype","shape","data"},
   "offsets": null|{...}, "per_sample_weights": null|{...}, "grad_output": null|{...},
   "expect": {"error": null|{"torch","java","value"?}, "output", "weight_after", "weight_grad",
              "weight_grad_sparse", "psw_grad"},
   "checks": null|{...extra assertions...}, "divergence": null|"why emb4j differs", "note"?: str}

Float values are the exact float32 values written as JSON numbers (a float32 is exactly representable as a
double); NaN / +-inf are written as the strings "NaN", "Infinity", "-Infinity".
Where emb4j deliberately differs from PyTorch (spec preface, section 6), the expect block holds the emb4j values
and "divergence" says why.
"""
import json
import math
import os
import random
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "emb4j-core", "src", "test", "resources", "golden")

INF = float("inf")
DEBUG = bool(os.environ.get("GOLDEN_DEBUG"))

# ---------------------------------------------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------------------------------------------


def fnum(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def ften(t):
    """float32 tensor -> {"shape", "data"} with exact float32 values."""
    if t is None:
        return None
    t = t.detach()
    if t.is_sparse:
        t = t.to_dense()
    t = t.to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [fnum(v) for v in t.reshape(-1).tolist()]}


def iten(t):
    if t is None:
        return None
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
            "data": [int(v) for v in t.reshape(-1).tolist()]}


def torch_err(e):
    lines = str(e).splitlines()
    return f"{type(e).__name__}: {lines[0] if lines else ''}"


def java_kind_of(msg):
    """Java exception kind for a PyTorch error message: 'index' for ids out of range, else 'argument'."""
    if msg.startswith("IndexError") and ("index out of range" in msg or "select()" in msg):
        return "index"
    if "Expected idx >= 0" in msg or "out of bounds" in msg:
        return "index"
    return "argument"


# Per-file case lists
SPEC = []
RANDOM = []

# ---------------------------------------------------------------------------------------------------------------
# Case builders
# ---------------------------------------------------------------------------------------------------------------

DIV_RENORM = ("PyTorch renormalises the looked-up rows (max_norm) before it validates the call, so its weight "
              "changed although the call failed; emb4j validates first and a rejected call changes nothing "
              "(spec preface 1). weight_after is the ORIGINAL weight.")


def _sparse_parts(g):
    idx = g._indices().reshape(-1).tolist()
    vals = g._values()
    return {"indices": [int(v) for v in idx], "values": ften(vals)}


def _finish(case, w0, w, out, err, grad, java_error, error_value, divergence, psw_leaf=None,
            weight_grad_override=None, is_sparse=False, max_norm=None):
    exp = {"error": None, "output": None, "weight_after": None, "weight_grad": None,
           "weight_grad_sparse": None, "psw_grad": None}
    divs = [divergence] if divergence else []
    if java_error is not None:
        if err is None and not divergence:
            raise AssertionError(f"{case['name']}: expected an error but torch succeeded")
        e = {"torch": err if err is not None else "(none: PyTorch does not check this; its result is undefined)",
             "java": java_error}
        if error_value is not None:
            e["value"] = error_value
        exp["error"] = e
        exp["weight_after"] = ften(w0)
        if w.shape == w0.shape and not torch.equal(w.detach(), w0):
            divs.append(DIV_RENORM)
    else:
        if err is not None:
            raise AssertionError(f"{case['name']}: unexpected torch error {err}")
        exp["output"] = ften(out)
        if max_norm is not None:
            exp["weight_after"] = ften(w)
        if grad is not None:
            g = w.grad
            if weight_grad_override is not None:
                exp["weight_grad"] = ften(weight_grad_override)
            elif g is None:
                exp["weight_grad"] = ften(torch.zeros_like(w0))
            else:
                exp["weight_grad"] = ften(g)
            if is_sparse:
                if g is None or not g.is_sparse:
                    raise AssertionError(f"{case['name']}: expected a sparse gradient, got {g}")
                exp["weight_grad_sparse"] = _sparse_parts(g)
            if psw_leaf is not None:
                exp["psw_grad"] = ften(psw_leaf.grad if psw_leaf.grad is not None
                                       else torch.zeros_like(psw_leaf))
    case["expect"] = exp
    case["divergence"] = " ".join(divs) if divs else None
    return case


def emb_case(name, weight, inp, *, padding_idx=None, max_norm=None, norm_type=2.0, sgbf=False, sparse=False,
             grad=None, java_error=None, error_value=None, divergence=None, checks=None, note=None, spec_id=None):
    if DEBUG:
        print(name, file=sys.stderr, flush=True)
    weight = weight.to(torch.float32)
    w0 = weight.clone()
    case = {"name": name}
    if spec_id:
        case["spec_id"] = spec_id
    case.update({
        "op": "embedding",
        "weight": ften(w0),
        "options": {"padding_idx": padding_idx, "max_norm": None if max_norm is None else float(max_norm),
                    "norm_type": fnum(norm_type), "scale_grad_by_freq": bool(sgbf), "sparse": bool(sparse)},
        "input": iten(inp), "offsets": None, "per_sample_weights": None,
        "grad_output": ften(grad) if grad is not None else None,
    })
    if checks:
        case["checks"] = checks
    if note:
        case["note"] = note
    w = weight.clone().requires_grad_(True)
    out, err = None, None
    t_inp, t_grad = inp, grad
    if inp.dim() == 0 and sparse and padding_idx is not None and grad is not None:
        # torch 1.13 bug: sparse backward of a 0-dim index with padding_idx raises "too many indices for
        # tensor of dimension 0"; the expectation is computed on the equivalent 1-element input.
        t_inp, t_grad = inp.reshape(1), grad.reshape(1, -1)
        extra = ("PyTorch 1.13 fails the sparse backward of a 0-dim index when padding_idx is set ('too many "
                 "indices for tensor of dimension 0'); expectation computed on the same index as a 1-element "
                 "input.")
        divergence = (divergence + " " + extra) if divergence else extra
    try:
        out = F.embedding(t_inp, w, padding_idx, max_norm, norm_type, sgbf, sparse)
        if t_grad is not None:
            out.backward(t_grad)
        out = out.reshape(tuple(inp.shape) + (w.shape[1],))
    except Exception as e:  # noqa: BLE001
        err = torch_err(e)
        out = None
    if java_error == "auto":
        java_error = java_kind_of(err) if err is not None else None
    return _finish(case, w0, w, out, err, grad, java_error, error_value, divergence,
                   is_sparse=sparse, max_norm=max_norm)


def _bag_reference_sgbf(inp, offsets, w_after, mode, padding_idx, psw, ilo, grad):
    """Correct scale_grad_by_freq weight gradient for bags: F.embedding(scale_grad_by_freq=True) + per-bag reduce."""
    V = w_after.shape[0]
    if inp.dim() == 2:
        Bn, N = inp.shape
        flat = inp.reshape(-1)
        offs = [i * N for i in range(Bn)]
        ends = [(i + 1) * N for i in range(Bn)]
        pswf = psw.reshape(-1) if psw is not None else None
    else:
        flat = inp
        o = [int(v) for v in offsets.tolist()]
        n = flat.numel()
        if ilo:
            offs, ends = o[:-1], o[1:]
        else:
            offs, ends = o, o[1:] + [n]
        pswf = psw
    pad = None
    if padding_idx is not None:
        pad = padding_idx + V if padding_idx < 0 else padding_idx
    w = w_after.detach().clone().requires_grad_(True)
    E = F.embedding(flat.long(), w, padding_idx=pad, scale_grad_by_freq=True)
    rows = []
    D = w.shape[1]
    for s, e in zip(offs, ends):
        acc = torch.zeros(D)
        cnt = 0
        for i in range(s, e):
            if pad is not None and int(flat[i]) == pad:
                continue
            term = E[i] * pswf[i].detach() if pswf is not None else E[i]
            acc = acc + term
            cnt += 1
        if mode == "mean":
            acc = acc / max(cnt, 1)
        rows.append(acc)
    out = torch.stack(rows) if rows else torch.zeros(0, D)
    if out.numel() > 0 and out.requires_grad:
        out.backward(grad)
    return w.grad if w.grad is not None else torch.zeros_like(w)


class _NotRun(Exception):
    pass


def bag_case(name, weight, inp, offsets=None, *, mode="mean", padding_idx=None, max_norm=None, norm_type=2.0,
             sgbf=False, sparse=False, psw=None, ilo=False, grad=None, java_error=None, error_value=None,
             divergence=None, checks=None, note=None, spec_id=None, torch_inp=None, torch_offsets=None,
             torch_psw=None, torch_ilo=None, no_torch=False):
    """torch_* override what is passed to torch (used where emb4j's semantics equal another torch call)."""
    if DEBUG:
        print(name, file=sys.stderr, flush=True)
    weight = weight.to(torch.float32)
    w0 = weight.clone()
    case = {"name": name}
    if spec_id:
        case["spec_id"] = spec_id
    case.update({
        "op": "embedding_bag",
        "weight": ften(w0),
        "options": {"padding_idx": padding_idx, "max_norm": None if max_norm is None else float(max_norm),
                    "norm_type": fnum(norm_type), "scale_grad_by_freq": bool(sgbf), "sparse": bool(sparse),
                    "mode": mode, "include_last_offset": bool(ilo)},
        "input": iten(inp), "offsets": iten(offsets),
        "per_sample_weights": ften(psw) if psw is not None else None,
        "grad_output": ften(grad) if grad is not None else None,
    })
    if checks:
        case["checks"] = checks
    if note:
        case["note"] = note
    t_inp = inp if torch_inp is None else torch_inp
    t_off = offsets if torch_offsets is None else torch_offsets
    t_psw_val = psw if torch_psw is None else torch_psw
    t_ilo = ilo if torch_ilo is None else torch_ilo
    w = weight.clone().requires_grad_(True)
    psw_leaf = None
    zero_bags = False
    if t_psw_val is not None:
        psw_leaf = t_psw_val.detach().clone().to(t_psw_val.dtype).requires_grad_(t_psw_val.is_floating_point())
    out, err = None, None
    try:
        if no_torch:
            # undefined in PyTorch (heap corruption / garbage in 1.13): not run; emb4j rejects the call
            raise _NotRun()
        out = F.embedding_bag(t_inp, w, t_off, max_norm, norm_type, sgbf, mode, sparse, psw_leaf, t_ilo,
                              padding_idx)
        if grad is not None and out.shape[0] == 0:
            # torch 1.13 segfaults on backward through an embedding_bag with zero bags: the gradient of
            # nothing is zero, written by hand (sparse: an empty COO, only for an empty input).
            if sparse and t_inp.numel() > 0:
                raise AssertionError(f"{name}: sparse backward with zero bags but a non-empty input")
            zero_bags = True
        elif grad is not None:
            out.backward(grad)
    except AssertionError:
        raise
    except _NotRun:
        pass
    except Exception as e:  # noqa: BLE001
        err = torch_err(e)
        out = None
    if java_error == "auto":
        java_error = java_kind_of(err) if err is not None else None
    override = None
    divs = divergence
    if sgbf and java_error is None and err is None and grad is not None and not sparse:
        ref = _bag_reference_sgbf(t_inp, t_off, w, mode, padding_idx, t_psw_val, t_ilo, grad)
        override = ref
        got = w.grad.to_dense() if w.grad is not None else torch.zeros_like(w0)
        if not torch.allclose(ref, got, rtol=1e-6, atol=1e-6):
            extra = ("PyTorch CPU embedding_bag divides by the count of the wrong index under scale_grad_by_freq "
                     "(spec 6.1 / 3.7, issue #190063); weight_grad is the correct value, computed with "
                     "F.embedding(scale_grad_by_freq=True) followed by the per-bag reduction.")
            divs = (divs + " " + extra) if divs else extra
    if zero_bags:
        w.grad = torch.sparse_coo_tensor(torch.zeros(1, 0, dtype=torch.long), torch.zeros(0, w.shape[1]),
                                         tuple(w.shape)) if sparse else torch.zeros_like(w0)
        if psw_leaf is not None:
            psw_leaf.grad = torch.zeros_like(psw_leaf)
        case["note"] = ((note + " ") if note else "") + \
            "zero bags: PyTorch 1.13 crashes on this backward, the expected (zero) gradient is written by hand."
    return _finish(case, w0, w, out, err, grad, java_error, error_value, divs, psw_leaf=psw_leaf,
                   weight_grad_override=override, is_sparse=sparse, max_norm=max_norm)


def skip(lst, name, reason, spec_id=None):
    c = {"name": name}
    if spec_id:
        c["spec_id"] = spec_id
    c["skip"] = reason
    lst.append(c)


def T(*a, **k):
    return torch.tensor(*a, **k)


# ---------------------------------------------------------------------------------------------------------------
# Spec section 5
# ---------------------------------------------------------------------------------------------------------------

def spec_cases():
    S = SPEC.append
    W5 = torch.arange(1., 11.).view(5, 2)
    INP = T([3, 1, 1, 1, 4, 0])
    OFF = T([0, 0, 3, 3, 6])
    G5 = T([99, 99, 1, 2, 99, 99, 3, 4, 99, 99.]).view(5, 2)
    MW = T([[3., 4.], [0.3, 0.4], [6., 8.], [1., 0.]])
    g12 = torch.arange(12.).view(2, 3, 2)

    # ---- Embedding ----
    S(emb_case("E01_lookup_1d", W5, T([2, 1, 0]), grad=T([[1., 2.], [3., 4.], [5., 6.]]), spec_id="E01"))
    S(emb_case("E02_lookup_2d_shape", W5, T([[0, 1, 2], [4, 3, 2]]), grad=torch.arange(12.).view(2, 3, 2),
               spec_id="E02"))
    S(emb_case("E03_0dim", W5, T(3), grad=T([1., -1.]), spec_id="E03"))
    S(emb_case("E04_empty_1d", W5, torch.zeros(0, dtype=torch.long), grad=torch.zeros(0, 2), spec_id="E04"))
    S(emb_case("E04_empty_2x0", W5, torch.zeros(2, 0, dtype=torch.long), grad=torch.zeros(2, 0, 2), spec_id="E04"))
    S(emb_case("E05_int32", W5, T([4, 0], dtype=torch.int32), grad=T([[1., 2.], [3., 4.]]), spec_id="E05"))
    S(emb_case("E06_bad_dtype_int16", W5, T([1], dtype=torch.int16), java_error="argument", spec_id="E06"))
    S(emb_case("E07_oob_pos", W5, T([5]), java_error="index", error_value=5, spec_id="E07"))
    S(emb_case("E07_oob_neg", W5, T([-1]), java_error="index", error_value=-1, spec_id="E07"))
    S(emb_case("E07_oob_pos_int32_2d", W5, T([[0, 1], [7, 2]], dtype=torch.int32), java_error="index",
               error_value=7, spec_id="E07"))
    S(emb_case("E07_oob_neg_minus6", W5, T([0, -6]), java_error="index", error_value=-6, spec_id="E07"))
    S(emb_case("E08_weight_1d", torch.ones(5), T([0]), java_error="argument", spec_id="E08"))
    S(emb_case("E08_weight_0d", torch.tensor(1.), T([0]), java_error="argument", spec_id="E08"))
    S(emb_case("E08_weight_3d", torch.ones(5, 2, 2), T([0]), java_error="argument", spec_id="E08"))
    S(emb_case("E09_padding_forward_not_zeroed", W5, T([1]), padding_idx=1, grad=T([[1., 1.]]), spec_id="E09"))
    S(emb_case("E10_neg_padding_minus1", W5, T([4, 0, 4]), padding_idx=-1, grad=torch.ones(3, 2),
               checks={"padding_idx_normalized": 4, "fresh_init_padding_row_zero": True}, spec_id="E10",
               note="Module init (normal_ then zero the padding row) is checked through the builder with a fresh "
                    "table (checks.fresh_init_padding_row_zero); the values here use injected weights."))
    S(emb_case("E10_neg_padding_minus5", W5, T([0, 1]), padding_idx=-5, grad=torch.ones(2, 2),
               checks={"padding_idx_normalized": 0, "fresh_init_padding_row_zero": True}, spec_id="E10"))
    S(emb_case("E11_padding_oob_5", W5, T([0]), padding_idx=5, java_error="argument", error_value=5,
               spec_id="E11"))
    S(emb_case("E11_padding_oob_minus6", W5, T([0]), padding_idx=-6, java_error="argument", error_value=-6,
               spec_id="E11"))
    idx = T([[0, 0, 1], [4, 2, 2]])
    S(emb_case("E12_dense_grad_dups", torch.zeros(5, 2), idx, grad=g12, spec_id="E12"))
    S(emb_case("E13_dense_grad_padding2", torch.zeros(5, 2), idx, padding_idx=2, grad=g12, spec_id="E13"))
    idx2 = T([[0, 0, 1], [0, 2, 2]])
    S(emb_case("E14_sgbf", torch.zeros(5, 2), idx2, sgbf=True, grad=g12, spec_id="E14"))
    S(emb_case("E15_sgbf_padding2", torch.zeros(5, 2), idx2, sgbf=True, padding_idx=2, grad=g12, spec_id="E15"))
    S(emb_case("E16_sparse_grad", torch.zeros(5, 2), idx, sparse=True, padding_idx=2, grad=g12, spec_id="E16"))
    S(emb_case("E16_sparse_grad_nopad", torch.zeros(5, 2), idx, sparse=True, grad=g12, spec_id="E16"))
    S(emb_case("E17_sparse_all_padding", torch.zeros(5, 2), T([2, 2]), sparse=True, padding_idx=2,
               grad=torch.ones(2, 2), spec_id="E17"))
    S(emb_case("E18_sparse_sgbf", torch.zeros(5, 2), T([0]), sparse=True, sgbf=True, grad=torch.ones(1, 2),
               java_error="argument", spec_id="E18",
               divergence="PyTorch raises only at backward; emb4j rejects sparse + scale_grad_by_freq at build()."))
    S(emb_case("E19_max_norm", MW, T([0, 1, 0]), max_norm=1.0, grad=torch.ones(3, 2), spec_id="E19"))
    S(emb_case("E20_max_norm_p1", MW, T([0, 2]), max_norm=2.0, norm_type=1.0, grad=torch.ones(2, 2),
               spec_id="E20"))
    S(emb_case("E20_max_norm_pinf", MW, T([0, 2]), max_norm=2.0, norm_type=INF, grad=torch.ones(2, 2),
               spec_id="E20"))
    S(emb_case("E21_norm_equal_untouched", T([[3., 4.]]), T([0]), max_norm=5.0, spec_id="E21"))
    S(emb_case("E21_max_norm_zero", MW, T([0]), max_norm=0.0, spec_id="E21"))
    torch.manual_seed(0)
    ww = torch.randn(4, 4) * 2
    S(emb_case("E22_max_norm_backward", ww, T([0, 1, 2, 2]), max_norm=1.0, grad=torch.ones(4, 4), spec_id="E22"))
    S(emb_case("E23_max_norm_neg_idx_err", MW, T([-2]), max_norm=1.0, java_error="index", error_value=-2,
               spec_id="E23"))
    S(emb_case("E23b_max_norm_oob_err", MW, T([0, 9]), max_norm=1.0, java_error="index", error_value=9,
               spec_id="E23b"))
    torch.manual_seed(1)
    pw = torch.rand(4, 3)
    pw[2] = 7.
    S(emb_case("E24_from_pretrained_pad_row_not_zeroed", pw, T([2, 0]), padding_idx=2,
               grad=torch.ones(2, 3), checks={"frozen_by_default": True}, spec_id="E24",
               note="emb4j copies by default (spec preface 5); storage sharing is Embedding.wrap, not tested here."))
    S(emb_case("E25_from_pretrained_1d", torch.ones(3), T([0]), java_error="argument", spec_id="E25"))
    skip(SPEC, "E26_weight_shape_mismatch", "not expressible: emb4j's fromPretrained takes V and D from the "
         "weight itself, there is no separate _weight/num_embeddings pair to mismatch", spec_id="E26")
    S(emb_case("E27_doc_from_pretrained", T([[1, 2.3, 3], [4, 5.1, 6.3]]), T([1]), spec_id="E27"))
    skip(SPEC, "E28_inplace_version_error", "autograd version-counter error of a PyTorch graph that shares the "
         "weight with another op; emb4j has no general autograd graph", spec_id="E28")
    torch.manual_seed(0)
    w29 = nn.Embedding(5, 2, padding_idx=0).weight.detach().clone()
    w29[0] = T([0.5, -0.25])  # non-zero padding row (grad must stay zero anyway)
    for n in (1, 2, 1000):
        for other in ([], [1, 3], [2]):
            ind = T(other + [0] * n)
            S(emb_case(f"E29_padding_grad_zero_n{n}_other{''.join(map(str, other)) or 'none'}", w29, ind,
                       padding_idx=0, grad=torch.ones(len(other) + n, 2), spec_id="E29",
                       note="first-order part only; the double-backward part of the upstream test is not "
                            "applicable (no double backward in emb4j)"))

    # ---- EmbeddingBag ----
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B01_{mode}_1d_empties", W5, INP, OFF, mode=mode, grad=G5, spec_id="B01"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B02_{mode}_2d", W5, INP.view(2, 3), mode=mode, grad=T([[1., 2.], [3., 4.]]), spec_id="B02"))
    S(bag_case("B03_default_mode_is_mean", W5, INP.view(2, 3), mode="mean", checks={"default_mode": "mean"},
               spec_id="B03"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B04_all_empty_{mode}", W5, torch.zeros(0, dtype=torch.long), T([0, 0, 0, 0]), mode=mode,
                   grad=torch.ones(4, 2), spec_id="B04"))
    S(bag_case("B04_all_empty_sum_sparse", W5, torch.zeros(0, dtype=torch.long), T([0, 0, 0, 0]), mode="sum",
               sparse=True, grad=torch.ones(4, 2), spec_id="B04"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B05_include_last_offset_{mode}", W5, INP, T([0, 2, 6]), mode=mode, ilo=True,
                   grad=T([[1., 2.], [3., 4.]]), spec_id="B05"))
    S(bag_case("B05b_ilo_single_offset_n6", W5, INP, T([0]), mode="sum", ilo=True, java_error="argument",
               error_value=0, spec_id="B05b",
               divergence="include_last_offset with offsets[-1]=0 != n=6: PyTorch 1.13 returns shape (0,2), emb4j "
                          "rejects offsets[-1] != n (spec preface 3, section 6.2)."))
    S(bag_case("B05b_ilo_single_offset_n0", W5, torch.zeros(0, dtype=torch.long), T([0]), mode="sum", ilo=True,
               grad=torch.zeros(0, 2), spec_id="B05b"))
    S(bag_case("B05c_ilo_no_offsets", W5, INP, torch.zeros(0, dtype=torch.long), mode="sum", ilo=True,
               java_error="argument", spec_id="B05c"))
    S(bag_case("B05d_empty_offsets", W5, INP, torch.zeros(0, dtype=torch.long), mode="sum",
               grad=torch.zeros(0, 2), spec_id="B05d"))
    S(bag_case("B06_from_pretrained_mean", T([[1., 2, 3], [4, 5, 6]]), T([[0, 1]]), mode="mean", spec_id="B06"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B07_padding1_{mode}", W5, INP, OFF, mode=mode, padding_idx=1, grad=G5, spec_id="B07"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B07b_padding_minus4_{mode}", W5, INP, OFF, mode=mode, padding_idx=-4, grad=G5,
                   checks={"padding_idx_normalized": 1}, spec_id="B07b"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B08_allpad_{mode}", W5, T([[2, 2], [2, 3]]), mode=mode, padding_idx=2,
                   grad=T([[5., 5.], [1., 2.]]), spec_id="B08"))
    Wp = W5.clone()
    Wp[2] = 100.
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B09_nonzero_pad_row_excluded_{mode}", Wp, T([[2, 3]]), mode=mode, padding_idx=2,
                   grad=T([[1., 1.]]), spec_id="B09"))
    S(bag_case("B09b_mean_padding_count", W5, T([[0, 3, 1], [3, 3, 4]]), mode="mean", padding_idx=3,
               grad=torch.ones(2, 2), spec_id="B09b"))
    S(bag_case("B10_padding_oob_5", W5, INP, OFF, mode="mean", padding_idx=5, java_error="argument",
               error_value=5, spec_id="B10"))
    S(bag_case("B10_padding_oob_minus6", W5, INP, OFF, mode="mean", padding_idx=-6, java_error="argument",
               error_value=-6, spec_id="B10"))
    psw = T([1., 2., 0.5, -1., 3., 10.])
    S(bag_case("B11_psw_sum", W5, INP, OFF, mode="sum", psw=psw, grad=G5, spec_id="B11"))
    S(bag_case("B12_psw_padding1", W5, INP, OFF, mode="sum", psw=psw, padding_idx=1, grad=G5, spec_id="B12"))
    S(bag_case("B13_psw_sparse", W5, INP, OFF, mode="sum", psw=psw, sparse=True, grad=G5, spec_id="B13"))
    S(bag_case("B14_psw_mean", W5, INP, OFF, mode="mean", psw=torch.ones(6), java_error="argument",
               spec_id="B14"))
    S(bag_case("B14_psw_max", W5, INP, OFF, mode="max", psw=torch.ones(6), java_error="argument", spec_id="B14"))
    S(bag_case("B15_psw_shape_5_vs_6", W5, INP, OFF, mode="sum", psw=torch.ones(5), java_error="argument",
               spec_id="B15"))
    S(bag_case("B15_psw_1d_with_2d_input", W5, INP.view(2, 3), mode="sum", psw=torch.ones(6),
               java_error="argument", spec_id="B15"))
    skip(SPEC, "B16_psw_dtype_double", "not expressible: emb4j per-sample weights are float32 FloatTensors like "
         "the table; a double tensor cannot be passed", spec_id="B16")
    S(bag_case("B17_offsets0_not_zero", W5, INP, T([1, 3]), mode="sum", java_error="argument", error_value=1,
               spec_id="B17"))
    S(bag_case("B18_offsets_last_gt_n", W5, INP, T([0, 7]), mode="sum", java_error="argument", error_value=7,
               spec_id="B18"))
    S(bag_case("B18b_offsets_last_eq_n_sum", W5, INP, T([0, 6]), mode="sum", grad=T([[1., 2.], [3., 4.]]),
               spec_id="B18b"))
    S(bag_case("B19_2d_with_offsets", W5, INP.view(2, 3), T([0, 1]), mode="mean", java_error="argument",
               spec_id="B19"))
    S(bag_case("B19_1d_no_offsets", W5, INP, None, mode="mean", java_error="argument", spec_id="B19"))
    S(bag_case("B19_offsets_2d", W5, INP, T([[0, 1]]), mode="mean", java_error="argument", spec_id="B19"))
    S(bag_case("B19_input_3d", W5, INP.view(1, 2, 3), None, mode="mean", java_error="argument", spec_id="B19"))
    S(bag_case("B19_input_0d", W5, T(1), None, mode="mean", java_error="argument", spec_id="B19"))
    skip(SPEC, "B20_bad_mode_min", "not expressible: emb4j's BagMode is an enum (SUM, MEAN, MAX)", spec_id="B20")
    S(bag_case("B20_max_sgbf", W5, INP, OFF, mode="max", sgbf=True, java_error="argument", spec_id="B20",
               note="PyTorch's module constructor accepts it and F.embedding_bag raises at forward; emb4j rejects "
                    "it at build()."))
    S(bag_case("B20_max_sparse", W5, INP, OFF, mode="max", sparse=True, java_error="argument", spec_id="B20",
               note="PyTorch's module constructor accepts it and F.embedding_bag raises at forward; emb4j rejects "
                    "it at build()."))
    S(bag_case("B21_oob_sum_5", W5, T([[0, 5]]), mode="sum", java_error="index", error_value=5, spec_id="B21",
               note="the spec case uses a double weight; emb4j is float32-only, so float32 is used (PyTorch's "
                    "fast-path message differs, the outcome is the same)"))
    S(bag_case("B21_oob_max_minus1", W5, T([[0, -1]]), mode="max", java_error="index", error_value=-1,
               spec_id="B21"))
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B21_oob_padding0_{mode}", W5, T([[0, 5]]), mode=mode, padding_idx=0, java_error="index",
                   error_value=5, spec_id="B21"))
    Wt = T([[1., 5.], [1., 2.], [0., 5.]])
    S(bag_case("B22_max_ties_first_wins", Wt, T([[1, 0, 2]]), mode="max", grad=T([[10., 20.]]), spec_id="B22"))
    Wn = T([[float("nan"), 1.], [2., 3.]])
    S(bag_case("B23_max_nan_first", Wn, T([[0, 1]]), mode="max", spec_id="B23",
               checks={"nonfinite_weight": True},
               note="NaN weights: fromPretrained rejects non-finite values, so the Java test wraps a RowStore"))
    S(bag_case("B23_max_nan_second", Wn, T([[1, 0]]), mode="max", spec_id="B23", checks={"nonfinite_weight": True},
               note="NaN weights: fromPretrained rejects non-finite values, so the Java test wraps a RowStore"))
    S(bag_case("B24_max_duplicate_winner_grad", Wt, T([[0, 0]]), mode="max", grad=T([[1., 1.]]), spec_id="B24"))
    S(bag_case("B25_sparse_mean_grad", W5, T([0, 0, 1, 2]), T([0, 3]), mode="mean", sparse=True,
               grad=T([[3., 6.], [1., 1.]]), spec_id="B25"))
    S(bag_case("B26_sgbf_bag_sum", torch.ones(4, 1), T([1, 1, 3]), T([0]), mode="sum", sgbf=True,
               grad=torch.ones(1, 1), spec_id="B26"))
    S(bag_case("B26_sgbf_bag_sum_two_bags", torch.ones(4, 2), T([0, 0, 0, 1]), T([0, 2]), mode="sum", sgbf=True,
               grad=T([[1., 1.], [10., 10.]]), spec_id="B26"))
    S(bag_case("B26_sgbf_bag_mean", torch.ones(4, 2), T([1, 1, 3, 2, 3]), T([0, 2]), mode="mean", sgbf=True,
               grad=T([[1., 2.], [3., 4.]]), spec_id="B26"))
    S(bag_case("B27_int32_idx_int64_offsets", W5, INP.int(), OFF, mode="sum", grad=G5, spec_id="B27",
               note="mixed int32 input / int64 offsets are accepted by PyTorch 1.13"))
    S(bag_case("B27_int64_idx_int32_offsets", W5, INP, OFF.int(), mode="mean", grad=G5, spec_id="B27"))
    random.seed(0)
    torch.manual_seed(0)
    k = 0
    for mode in ("sum", "mean", "max"):
        for mn in (None, 3.0):
            for _ in range(5):
                N, D, B, Lb = [random.randint(1, 20) for _ in range(4)]
                w = torch.randn(N, D)
                inp = torch.randint(N, (B, Lb))
                go = torch.rand(B, D)
                S(bag_case(f"B28_bag_vs_embedding_{mode}_{'mn3' if mn else 'nomn'}_{k}", w, inp.view(-1),
                           torch.arange(B) * Lb, mode=mode, max_norm=mn, grad=go, spec_id="B28"))
                k += 1
    S(bag_case("B29_bag_max_norm_renorms_padding_row_too", T([[3., 4.], [6., 8.], [0.3, 0.4]]), T([[0, 1]]),
               mode="sum", max_norm=1.0, padding_idx=1, grad=T([[1., 1.]]), spec_id="B29"))
    S(bag_case("B30_from_pretrained_options_float32", T([[1., 2., 3.], [4., 5., 6.]]), T([[0, 1]]), mode="max",
               max_norm=2.0, norm_type=0.5, grad=T([[1., 2., 3.]]), spec_id="B30",
               note="the spec case uses a double weight; recomputed in float32"))
    torch.manual_seed(0)
    wt = torch.randn(3, 4)[:, :3].contiguous()
    for mode in ("sum", "mean", "max"):
        S(bag_case(f"B32_weight_{mode}", wt, T([0, 1, 2]), T([0, 2]), mode=mode, grad=torch.ones(2, 3),
                   spec_id="B32", note="Java tables have no strides; this checks the values of the contiguous clone"))
    S(bag_case("B31_doc_bag_from_pretrained", T([[1, 2.3, 3], [4, 5.1, 6.3]]), T([[1, 0]]), mode="mean",
               spec_id="B31"))

    # ---- Version-dependent / not expressible items that the spec lists ----
    S(bag_case("V_ilo_with_2d_input_ignored", W5, INP.view(2, 3), mode="sum", ilo=True,
               grad=T([[1., 2.], [3., 4.]]), torch_ilo=False,
               divergence="include_last_offset with a 2-D input: PyTorch 1.13 returns one bag fewer (bug #167974); "
                          "emb4j ignores the flag for 2-D input as newer PyTorch does (PR #168159). Expectation "
                          "computed with include_last_offset=False."))
    S(bag_case("V_ilo_offsets_last_lt_n", W5, INP, T([0, 2, 4]), mode="sum", ilo=True, java_error="argument",
               error_value=4, no_torch=True,
               divergence="include_last_offset with offsets[-1] != n is undefined in PyTorch (section 6.2); "
                          "emb4j rejects it."))
    S(bag_case("V_bag_weight_3d", torch.ones(5, 2, 2), T([[0, 1]]), mode="sum", java_error="argument",
               divergence="PyTorch 1.13 accepts a 3-D weight in embedding_bag and returns garbage; newer versions "
                          "and emb4j reject a non-2-D table."))
    S(bag_case("V_bag_2d_input_Bx0", W5, torch.zeros(3, 0, dtype=torch.long), mode="mean",
               grad=torch.ones(3, 2), torch_inp=torch.zeros(0, dtype=torch.long),
               torch_offsets=torch.zeros(3, dtype=torch.long),
               divergence="PyTorch 1.13 raises 'step must be nonzero' for a (B, 0) 2-D input; emb4j returns B "
                          "empty bags (zero rows). Expectation computed as B empty 1-D bags."))
    skip(SPEC, "V_half_bf16_weights", "not expressible: emb4j tables are float32 only (no half / bf16)")
    skip(SPEC, "V_freeze_ctor_arg", "version-dependent (_freeze is absent in 1.13); emb4j's freeze(boolean) is "
         "covered by the frozen_by_default check of E24")
    skip(SPEC, "V_frozen_weight_differentiable_psw", "version-dependent: 1.13 fails with INTERNAL ASSERT FAILED "
         "(#136457, fixed by PR #142338)")
    skip(SPEC, "V_python_list_inputs", "not expressible: Python list inputs/offsets (TypeError/AttributeError in "
         "PyTorch) have no Java counterpart; IndexTensor is the only index input type")


# ---------------------------------------------------------------------------------------------------------------
# Random cases
# ---------------------------------------------------------------------------------------------------------------

D_CHOICES = [1, 1, 2, 3, 3, 4, 5, 7, 8, 16, 17, 17, 31, 32, 64, 128, 128, 300, 300]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.g = torch.Generator().manual_seed(seed)

    def randn(self, *shape):
        return torch.randn(*shape, generator=self.g)

    def pick_D(self):
        if self.r.random() < 0.2:
            return self.r.randint(1, 300)
        return self.r.choice(D_CHOICES)

    def pick_V(self, D):
        maxv = max(1, min(60, 400 // D))
        return self.r.randint(1, maxv)

    def n_max(self, D):
        return max(1, min(24, 480 // D))

    def shape(self, rank, nmax):
        if rank == 0:
            return ()
        while True:
            dims = []
            for _ in range(rank):
                if self.r.random() < 0.07:
                    dims.append(0)
                else:
                    dims.append(self.r.randint(1, max(1, {1: nmax, 2: 5, 3: 3}[rank])))
            if math.prod(dims) <= nmax:
                return tuple(dims)

    def pick_max_norm(self, w, ids, D):
        ptypes = [2.0, 2.0, 1.0, INF]
        if D <= 64:
            ptypes += [0.5, 3.0]
        p = self.r.choice(ptypes)
        rows = sorted(set(ids))
        if not rows:
            return p, round(self.r.uniform(0.5, 3.0), 3)
        norms = [float(torch.norm(w[k], p=p)) for k in rows]
        med = sorted(norms)[len(norms) // 2]
        for _ in range(100):
            mn = med * self.r.uniform(0.3, 1.3)
            if mn == 0 or all(abs(nv - mn) > 1e-3 * max(mn, 1e-6) for nv in norms):
                # express max_norm as a float32-exact value so Java (double) and torch agree on the threshold
                return p, float(torch.tensor(mn, dtype=torch.float32))
        return p, float(torch.tensor(med * 0.5, dtype=torch.float32))


def random_embedding_cases(gen, count):
    r = gen.r
    out = []
    for i in range(count):
        D = gen.pick_D()
        V = gen.pick_V(D)
        rank = r.choice([0, 1, 1, 2, 2, 3])
        shp = gen.shape(rank, gen.n_max(D))
        dtype = r.choice([torch.int64, torch.int32])
        w = gen.randn(V, D)
        n = math.prod(shp)
        ids = [r.randrange(V) for _ in range(n)]
        padding = None
        if r.random() < 0.35:
            pn = r.randrange(V)
            padding = pn - V if r.random() < 0.4 else pn
            for j in range(n):
                if r.random() < 0.25:
                    ids[j] = pn
        inp = torch.tensor(ids, dtype=dtype).reshape(shp)
        max_norm, p = None, 2.0
        if r.random() < 0.3:
            p, max_norm = gen.pick_max_norm(w, ids, D)
        sgbf = r.random() < 0.3
        sparse = r.random() < 0.3
        if sgbf and sparse:
            sgbf = r.random() < 0.3  # keep a few of these error cases
        grad = gen.randn(*shp, D) if r.random() < 0.85 else None
        name = f"R_emb_{i:03d}_r{rank}_D{D}_V{V}" + ("_pad" if padding is not None else "") + \
               (f"_mn{p:g}" if max_norm is not None else "") + ("_sgbf" if sgbf else "") + ("_sparse" if sparse else "")
        if sgbf and sparse:
            if grad is None:
                grad = gen.randn(*shp, D)
            out.append(emb_case(name, w, inp, padding_idx=padding, max_norm=max_norm, norm_type=p, sgbf=True,
                                sparse=True, grad=grad, java_error="argument",
                                divergence="PyTorch raises sparse + scale_grad_by_freq only at backward; emb4j "
                                           "rejects it at build()."
                                if n > 0 else
                                "emb4j rejects sparse + scale_grad_by_freq at build(); PyTorch raises at backward "
                                "(and not at all for an empty input)."))
        else:
            out.append(emb_case(name, w, inp, padding_idx=padding, max_norm=max_norm, norm_type=p, sgbf=sgbf,
                                sparse=sparse, grad=grad))
    return out


def random_bag_cases(gen, count):
    r = gen.r
    out = []
    for i in range(count):
        D = gen.pick_D()
        V = gen.pick_V(D)
        mode = r.choice(["sum", "mean", "max"])
        nmax = gen.n_max(D)
        form = "2d" if r.random() < 0.35 else "1d"
        ilo = False
        offsets = None
        if form == "2d":
            while True:
                Bn = r.randint(0, 4)
                N = r.randint(1, 5)
                if Bn * N <= nmax:
                    break
            shp = (Bn, N)
            n = Bn * N
            nbags = Bn
        else:
            n = r.randint(0, nmax)
            ilo = r.random() < 0.25
            nb = r.randint(0, max(1, min(6, 600 // D)))
            if nb == 0 and not ilo:
                # empty offsets with a non-empty input crash torch 1.13 on its slow path (max mode, padding)
                n = 0
            shp = (n,)
            if ilo:
                inner = sorted(r.randint(0, n) for _ in range(nb))
                offs = [0] + inner + [n]
                if r.random() < 0.2:
                    offs = [0] + inner + [n, n]
                nbags = len(offs) - 1
            else:
                if nb == 0:
                    offs = []
                else:
                    offs = [0] + sorted(r.randint(0, n) for _ in range(nb - 1))
                    if r.random() < 0.25:
                        offs.append(n)  # trailing empty bag
                nbags = len(offs)
            odtype = r.choice([torch.int64, torch.int64, torch.int32])
            offsets = torch.tensor(offs, dtype=odtype)
        dtype = r.choice([torch.int64, torch.int32])
        if offsets is not None and offsets.dtype != dtype and r.random() < 0.7:
            offsets = offsets.to(dtype)
        w = gen.randn(V, D)
        ids = [r.randrange(V) for _ in range(n)]
        padding = None
        if r.random() < 0.35:
            pn = r.randrange(V)
            padding = pn - V if r.random() < 0.4 else pn
            for j in range(n):
                if r.random() < 0.25:
                    ids[j] = pn
        inp = torch.tensor(ids, dtype=dtype).reshape(shp)
        psw = None
        if mode == "sum" and r.random() < 0.4:
            psw = gen.randn(*shp)
        max_norm, p = None, 2.0
        if r.random() < 0.25:
            p, max_norm = gen.pick_max_norm(w, ids, D)
        sgbf = mode != "max" and r.random() < 0.25
        sparse = mode != "max" and r.random() < 0.3
        if sgbf and sparse:
            sgbf = r.random() < 0.3
        grad = gen.randn(nbags, D) if r.random() < 0.85 else None
        if nbags == 0 and n > 0 and sparse:
            grad = None
        name = f"R_bag_{i:03d}_{mode}_{form}_D{D}_V{V}_B{nbags}" + ("_ilo" if ilo else "") + \
               ("_psw" if psw is not None else "") + ("_pad" if padding is not None else "") + \
               (f"_mn{p:g}" if max_norm is not None else "") + ("_sgbf" if sgbf else "") + \
               ("_sparse" if sparse else "")
        if sgbf and sparse:
            if grad is None:
                grad = gen.randn(nbags, D)
            out.append(bag_case(name, w, inp, offsets, mode=mode, padding_idx=padding, max_norm=max_norm,
                                norm_type=p, sgbf=True, sparse=True, psw=psw, ilo=ilo, grad=grad,
                                java_error="argument",
                                divergence="PyTorch raises sparse + scale_grad_by_freq only at backward (if at all); "
                                           "emb4j rejects it at build()."))
        else:
            out.append(bag_case(name, w, inp, offsets, mode=mode, padding_idx=padding, max_norm=max_norm,
                                norm_type=p, sgbf=sgbf, sparse=sparse, psw=psw, ilo=ilo, grad=grad))
    return out


def random_extra_cases(gen):
    """Hand-picked shapes: the D values the brief lists, empty inputs, 2-D (B,0) bags, max_norm edge values."""
    r = gen.r
    out = []
    for D in (1, 3, 17, 128, 300):
        V = max(1, min(60, 300 // D))
        for dt in (torch.int64, torch.int32):
            for rank in (0, 1, 2, 3):
                shp = {0: (), 1: (2,), 2: (1, 2), 3: (1, 1, 2)}[rank]
                n = math.prod(shp)
                ids = [r.randrange(V) for _ in range(n)]
                w = gen.randn(V, D)
                out.append(emb_case(f"X_emb_D{D}_{str(dt)[6:]}_rank{rank}", w, torch.tensor(ids, dtype=dt).reshape(shp),
                                    grad=gen.randn(*shp, D), sparse=(rank % 2 == 1)))
        for mode in ("sum", "mean", "max"):
            w = gen.randn(V, D)
            n = 3
            inp = torch.tensor([r.randrange(V) for _ in range(n)])
            out.append(bag_case(f"X_bag_D{D}_{mode}", w, inp, T([0, 1, 1]), mode=mode, grad=gen.randn(3, D)))
    # empty inputs
    w = gen.randn(7, 4)
    for shp in ((0,), (0, 3), (3, 0), (2, 0, 5), (0, 0)):
        for sparse in (False, True):
            out.append(emb_case(f"X_emb_empty_{'x'.join(map(str, shp))}_{'sparse' if sparse else 'dense'}", w,
                                torch.zeros(shp, dtype=torch.long), padding_idx=-2, sparse=sparse,
                                grad=torch.zeros(*shp, 4)))
    out.append(emb_case("X_emb_empty_table", torch.zeros(0, 3), torch.zeros(0, dtype=torch.long),
                        grad=torch.zeros(0, 3), note="Embedding(0, 3) is legal in PyTorch"))
    for mode in ("sum", "mean", "max"):
        for Bn in (1, 4):
            out.append(bag_case(f"X_bag_2d_B{Bn}x0_{mode}", w, torch.zeros(Bn, 0, dtype=torch.long), mode=mode,
                                grad=gen.randn(Bn, 4), torch_inp=torch.zeros(0, dtype=torch.long),
                                torch_offsets=torch.zeros(Bn, dtype=torch.long),
                                divergence="PyTorch 1.13 raises 'step must be nonzero' for a (B, 0) 2-D input; "
                                           "emb4j returns B empty bags (zero rows)."))
        out.append(bag_case(f"X_bag_2d_0x3_{mode}", w, torch.zeros(0, 3, dtype=torch.long), mode=mode,
                            grad=torch.zeros(0, 4)))
        out.append(bag_case(f"X_bag_empty_input_no_offsets_{mode}", w, torch.zeros(0, dtype=torch.long),
                            torch.zeros(0, dtype=torch.long), mode=mode, grad=torch.zeros(0, 4)))
        out.append(bag_case(f"X_bag_trailing_empties_{mode}", w, T([1, 2, 3]), T([0, 0, 3, 3, 3]), mode=mode,
                            grad=gen.randn(5, 4)))
        out.append(bag_case(f"X_bag_ilo_dup_offsets_{mode}", w, T([1, 2, 3, 6]), T([0, 0, 2, 2, 4, 4]), mode=mode,
                            ilo=True, grad=gen.randn(5, 4)))
    # max_norm edge values
    w = gen.randn(6, 5) * 3
    out.append(emb_case("X_emb_max_norm_zero", w, T([0, 2, 2]), max_norm=0.0, grad=gen.randn(3, 5)))
    out.append(emb_case("X_emb_max_norm_negative", w, T([1, 3]), max_norm=-1.0, grad=gen.randn(2, 5)))
    out.append(emb_case("X_emb_max_norm_zero_row", torch.zeros(2, 3), T([0, 1]), max_norm=-1.0))
    out.append(emb_case("X_emb_max_norm_padding_row_renormed", w, T([4, 4, 1]), max_norm=1.0, padding_idx=4,
                        grad=gen.randn(3, 5)))
    for p in (1.0, 2.0, INF, 0.5, 3.0):
        out.append(bag_case(f"X_bag_max_norm_p{p:g}_mean", w, T([0, 1, 2, 3, 4, 5]), T([0, 2, 4]), mode="mean",
                            max_norm=1.5, norm_type=p, grad=gen.randn(3, 5)))
    # sgbf equal-count and mixed-count bag cases
    w = gen.randn(5, 3)
    out.append(bag_case("X_bag_sgbf_sum_mixed_counts", w, T([0, 0, 0, 1, 4, 4]), T([0, 2, 5]), mode="sum",
                        sgbf=True, grad=gen.randn(3, 3)))
    out.append(bag_case("X_bag_sgbf_mean_pad", w, T([[0, 2, 2], [3, 2, 0]]), mode="mean", sgbf=True, padding_idx=2,
                        grad=gen.randn(2, 3)))
    out.append(bag_case("X_bag_sgbf_psw", w, T([4, 4, 1, 0]), T([0, 3]), mode="sum", sgbf=True,
                        psw=T([0.5, 2., -1., 3.]), grad=gen.randn(2, 3)))
    return out


def random_error_cases(gen):
    r = gen.r
    out = []
    W = gen.randn(6, 3)
    # Embedding: ids out of range
    k = 0
    for dt in (torch.int64, torch.int32):
        for bad in (6, 7, 1000, -1, -6, -7, -2147483648 if dt == torch.int32 else -(2 ** 40)):
            for mn in (None, 1.0):
                ids = [r.randrange(6) for _ in range(5)]
                pos = r.randrange(5)
                ids[pos] = bad
                shp = r.choice([(5,), (1, 5), (5, 1)])
                out.append(emb_case(f"ERR_emb_{k:02d}_oob_{bad}_{str(dt)[6:]}" + ("_mn" if mn else ""), W,
                                    torch.tensor(ids, dtype=dt).reshape(shp), max_norm=mn,
                                    padding_idx=r.choice([None, 2, -1]), java_error="index", error_value=bad))
                k += 1
    out.append(emb_case("ERR_emb_oob_in_0d", W, T(6), java_error="index", error_value=6))
    out.append(emb_case("ERR_emb_oob_empty_table", torch.zeros(0, 2), T([0]), java_error="index", error_value=0))
    out.append(emb_case("ERR_emb_int8_indices", W, T([1, 2], dtype=torch.int8), java_error="argument"))
    out.append(emb_case("ERR_emb_int16_indices_mn", W, T([1, 2], dtype=torch.int16), max_norm=0.5,
                        java_error="argument"))
    for pad in (6, 7, -7):
        out.append(emb_case(f"ERR_emb_padding_oob_{pad}", W, T([0, 1]), padding_idx=pad, java_error="argument",
                            error_value=pad))
    out.append(emb_case("ERR_emb_sparse_sgbf_empty", W, torch.zeros(0, dtype=torch.long), sparse=True, sgbf=True,
                        grad=torch.zeros(0, 3), java_error="argument",
                        divergence="emb4j rejects sparse + scale_grad_by_freq at build(); PyTorch does not raise "
                                   "for an empty input."))
    # EmbeddingBag: ids out of range
    for mode in ("sum", "mean", "max"):
        for bad in (6, 99, -1, -3):
            for extra in ("", "_pad", "_mn", "_2d"):
                ids = [r.randrange(6) for _ in range(6)]
                pos = r.randrange(6)
                ids[pos] = bad
                if extra == "_2d":
                    inp, offs = torch.tensor(ids).view(2, 3), None
                else:
                    inp, offs = torch.tensor(ids), T([0, 2, 2])
                out.append(bag_case(f"ERR_bag_oob_{mode}_{bad}{extra}", W, inp, offs, mode=mode,
                                    padding_idx=3 if extra == "_pad" else None,
                                    max_norm=1.0 if extra == "_mn" else None, java_error="index",
                                    error_value=bad))
    # EmbeddingBag: bad offsets
    inp = T([0, 1, 2, 3, 4, 5])
    for mode in ("sum", "mean", "max"):
        out.append(bag_case(f"ERR_bag_offsets0_{mode}", W, inp, T([2, 4]), mode=mode, java_error="argument",
                            error_value=2))
        out.append(bag_case(f"ERR_bag_offsets_last_gt_n_{mode}", W, inp, T([0, 3, 9]), mode=mode,
                            java_error="argument", error_value=9))
        out.append(bag_case(f"ERR_bag_offsets_decreasing_{mode}", W, inp, T([0, 4, 2]), mode=mode,
                            java_error="argument", no_torch=True,
                            divergence="PyTorch does not check that offsets are non-decreasing (its result is "
                                       "undefined, section 2.4); emb4j rejects them."))
        out.append(bag_case(f"ERR_bag_ilo_last_ne_n_{mode}", W, inp, T([0, 2, 5]), mode=mode, ilo=True,
                            java_error="argument", error_value=5, no_torch=True,
                            divergence="include_last_offset with offsets[-1] != n is undefined in PyTorch "
                                       "(section 6.2); emb4j rejects it."))
        out.append(bag_case(f"ERR_bag_ilo_empty_offsets_{mode}", W, inp, torch.zeros(0, dtype=torch.long),
                            mode=mode, ilo=True, java_error="argument"))
        out.append(bag_case(f"ERR_bag_offsets_2d_{mode}", W, inp, T([[0, 3]]), mode=mode, java_error="argument"))
        out.append(bag_case(f"ERR_bag_2d_input_with_offsets_{mode}", W, inp.view(3, 2), T([0, 1, 2]), mode=mode,
                            java_error="argument"))
        out.append(bag_case(f"ERR_bag_1d_no_offsets_{mode}", W, inp, None, mode=mode, java_error="argument"))
        out.append(bag_case(f"ERR_bag_3d_input_{mode}", W, inp.view(1, 3, 2), None, mode=mode,
                            java_error="argument"))
        div16 = ("PyTorch 1.13 promotes an int16 input/offsets tensor to the common type with the other (int64) "
                 "and accepts it; emb4j index tensors are int32/int64 only, so an int16 tensor is rejected.")
        out.append(bag_case(f"ERR_bag_int16_input_{mode}", W, inp.to(torch.int16), T([0, 3]), mode=mode,
                            java_error="argument", divergence=div16))
        out.append(bag_case(f"ERR_bag_int16_offsets_{mode}", W, inp, T([0, 3], dtype=torch.int16), mode=mode,
                            java_error="argument", divergence=div16))
        out.append(bag_case(f"ERR_bag_int16_both_{mode}", W, inp.to(torch.int16), T([0, 3], dtype=torch.int16),
                            mode=mode, java_error="argument"))
        out.append(bag_case(f"ERR_bag_int16_2d_{mode}", W, inp.to(torch.int16).view(2, 3), None, mode=mode,
                            java_error="argument"))
        out.append(bag_case(f"ERR_bag_padding_oob_{mode}", W, inp, T([0, 3]), mode=mode, padding_idx=6,
                            java_error="argument", error_value=6))
        out.append(bag_case(f"ERR_bag_padding_oob_neg_{mode}_mn", W, inp, T([0, 3]), mode=mode, padding_idx=-7,
                            max_norm=0.5, java_error="argument", error_value=-7))
    out.append(bag_case("ERR_bag_offsets_last_gt_n_mn", W, inp, T([0, 7]), mode="sum", max_norm=0.5,
                        java_error="argument", error_value=7))
    out.append(bag_case("ERR_bag_offsets0_empty_input", W, torch.zeros(0, dtype=torch.long), T([1]), mode="sum",
                        java_error="argument", error_value=1))
    # per-sample weights misuse
    for mode in ("mean", "max"):
        out.append(bag_case(f"ERR_bag_psw_{mode}_mn", W, inp, T([0, 3]), mode=mode, psw=torch.ones(6), max_norm=0.5,
                            java_error="argument"))
    out.append(bag_case("ERR_bag_psw_shape_7_vs_6", W, inp, T([0, 3]), mode="sum", psw=torch.ones(7),
                        java_error="argument"))
    out.append(bag_case("ERR_bag_psw_2d_vs_1d", W, inp, T([0, 3]), mode="sum", psw=torch.ones(2, 3),
                        java_error="argument"))
    out.append(bag_case("ERR_bag_psw_shape_2d_mismatch", W, inp.view(2, 3), None, mode="sum",
                        psw=torch.ones(3, 2), java_error="argument"))
    # forbidden option combinations
    out.append(bag_case("ERR_bag_max_sparse_2d", W, inp.view(2, 3), None, mode="max", sparse=True,
                        java_error="argument"))
    out.append(bag_case("ERR_bag_max_sgbf_2d", W, inp.view(2, 3), None, mode="max", sgbf=True,
                        java_error="argument"))
    out.append(bag_case("ERR_bag_sum_sparse_sgbf", W, inp, T([0, 3]), mode="sum", sparse=True, sgbf=True,
                        grad=torch.ones(2, 3), java_error="argument",
                        divergence="PyTorch raises sparse + scale_grad_by_freq only at backward; emb4j rejects it "
                                   "at build()."))
    out.append(bag_case("ERR_bag_weight_1d", torch.ones(6), inp, T([0, 3]), mode="sum", java_error="argument"))
    return out


def main():
    torch.set_num_threads(1)
    spec_cases()
    gen = Gen(20240917)
    RANDOM.extend(random_embedding_cases(gen, 190))
    RANDOM.extend(random_bag_cases(gen, 170))
    RANDOM.extend(random_extra_cases(gen))
    RANDOM.extend(random_error_cases(gen))
    names = [c["name"] for c in SPEC + RANDOM]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit(f"duplicate case names: {sorted(dup)}")
    os.makedirs(OUT_DIR, exist_ok=True)
    spec_ids = ["E%02d" % i for i in range(1, 30)] + ["E23b"] + ["B%02d" % i for i in range(1, 33)] + \
               ["B05b", "B05c", "B05d", "B07b", "B09b", "B18b"]
    covered = {c.get("spec_id") for c in SPEC}
    missing = [s for s in spec_ids if s not in covered]
    if missing:
        raise SystemExit(f"spec ids without a case: {missing}")
    common = {"torch_version": torch.__version__,
              "generator": "tools/golden/generate_goldens.py"}
    for fname, cases, extra in (("spec_cases.json", SPEC, {"spec_ids": spec_ids}),
                                ("random_cases.json", RANDOM, {"seed": 20240917})):
        doc = dict(common)
        doc.update(extra)
        doc["cases"] = cases
        path = os.path.join(OUT_DIR, fname)
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        n_skip = sum(1 for c in cases if "skip" in c)
        n_err = sum(1 for c in cases if "skip" not in c and c["expect"]["error"] is not None)
        n_div = sum(1 for c in cases if c.get("divergence"))
        print(f"{fname}: {len(cases)} cases ({n_skip} skipped, {n_err} error cases, {n_div} divergences), "
              f"{os.path.getsize(path) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
