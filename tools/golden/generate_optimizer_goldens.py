#!/usr/bin/python3
"""Generates the optimizer golden cases replayed by emb4j-core's dev.emb4j.optim.OptimizerGoldenTest.

Run with the system interpreter that has the pinned oracle installed (torch 1.13.1 CPU):

    /usr/bin/python3 tools/golden/generate_optimizer_goldens.py

Writes (deterministically, fixed seeds) emb4j-core/src/test/resources/golden/optimizer_cases.json.

Each case trains one small embedding weight (V x D) with one torch.optim optimizer for a few steps. Every step runs
zero or more lookups F.embedding(indices, weight, padding_idx=..., sparse=...) and backward(grad_output) on each
(so duplicate ids and several backward calls per step accumulate, and padding rows receive no gradient), then
optimizer.step() and optimizer.zero_grad(set_to_none=True) (a step without any backward leaves the parameter
without a gradient, so the optimizer skips it, as emb4j does).

Schema: {"torch_version", "generator", "cases": [case...]} with

  case = {
    "name":        str,
    "optimizer":   "SGD" | "Adagrad" | "Adam" | "AdamW" | "SparseAdam"   (the torch.optim class),
    "hyper":       {name: value} with the keyword arguments given to the torch.optim constructor, named as in PyTorch:
                   lr, momentum, dampening, nesterov, weight_decay, lr_decay, initial_accumulator_value, eps,
                   betas ([beta1, beta2]), amsgrad; parameters not listed take PyTorch's defaults,
    "sparse":      bool   (the sparse= flag of F.embedding),
    "padding_idx": int | null,
    "weight":      {"shape": [V, D], "data": [V*D floats, row-major]}   (initial weights),
    "steps": [ {
        "lr":       float | null   (if set, param_groups[0]["lr"] is set to it before this step),
        "backward": [ {"indices": {"shape": [...], "data": [ints]},
                       "grad_output": {"shape": indices.shape + [D], "data": [floats]}} ... ],
        "weight_after": {"shape": [V, D], "data": [...]}   (the weights after optimizer.step())
    } ... ]
  }

Floats are the exact float32 values written as JSON numbers (every float32 is exactly representable as a double).
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "emb4j-core", "src", "test", "resources", "golden", "optimizer_cases.json")

V = 7
D = 5


def ften(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def iten(t):
    return {"shape": list(t.shape), "data": [int(x) for x in t.reshape(-1).tolist()]}


def make_steps(seed, padding_idx, plan):
    """plan: one entry per step, each a list of (indices as nested list, grad scale); None entries = no backward."""
    g = torch.Generator().manual_seed(seed)
    steps = []
    for lookups in plan:
        backward = []
        for ids, scale in lookups:
            idx = torch.tensor(ids, dtype=torch.int64)
            if padding_idx is None:
                idx = torch.where(idx < 0, torch.zeros_like(idx), idx)
            else:
                idx = torch.where(idx < 0, torch.full_like(idx, padding_idx), idx)
            grad_out = torch.randn(list(idx.shape) + [D], generator=g) * scale
            backward.append((idx, grad_out))
        steps.append(backward)
    return steps


# Ids: -1 stands for the padding index (or 0 when the case has none). Rows 5 and 6 are touched in few steps only, so
# lazy (sparse) optimizers leave them alone in the others.
PLAN = [
    [([[1, 2, 2, -1], [3, 1, 1, 4]], 1.0)],
    [([2, 3, 3, -1, 5], 3.0), ([3, 1], 0.5)],  # two backward calls accumulate
    [([-1, -1, 4], 0.2)],
    [([6, 1, 2, 2, 2], 0.5)],
    [([1, 3, -1], 1.5)],
]
PLAN_ALL_PADDING = [
    PLAN[0],
    PLAN[1],
    [([-1, -1], 1.0)],  # only padding: an empty sparse gradient (the step count still advances)
    PLAN[3],
    PLAN[4],
]
PLAN_WITH_SKIP = [
    PLAN[0],
    PLAN[1],
    [],  # no backward at all: no gradient, the optimizer skips the parameter (step count unchanged)
    PLAN[3],
    PLAN[4],
]


def run_case(name, cls, hyper, sparse, padding_idx, plan, seed, lrs=None):
    g = torch.Generator().manual_seed(1000 + seed)
    w0 = torch.randn(V, D, generator=g)
    weight = torch.nn.Parameter(w0.clone())
    torch_hyper = dict(hyper)
    if "betas" in torch_hyper:
        torch_hyper["betas"] = tuple(torch_hyper["betas"])
    opt = cls([weight], **torch_hyper)
    steps_out = []
    for k, backward in enumerate(make_steps(seed, padding_idx, plan)):
        lr = None if lrs is None else lrs[k]
        if lr is not None:
            opt.param_groups[0]["lr"] = lr
        recorded = []
        for idx, grad_out in backward:
            out = F.embedding(idx, weight, padding_idx=padding_idx, sparse=sparse)
            out.backward(grad_out)
            recorded.append({"indices": iten(idx), "grad_output": ften(grad_out)})
        opt.step()
        opt.zero_grad(set_to_none=True)
        steps_out.append({"lr": lr, "backward": recorded, "weight_after": ften(weight)})
    return {
        "name": name,
        "optimizer": cls.__name__,
        "hyper": hyper,
        "sparse": sparse,
        "padding_idx": padding_idx,
        "weight": ften(w0),
        "steps": steps_out,
    }


def main():
    torch.manual_seed(0)
    o = torch.optim
    cases = [
        run_case("sgd_plain_dense", o.SGD, {"lr": 0.1}, False, 0, PLAN, 1),
        run_case("sgd_plain_sparse", o.SGD, {"lr": 0.1}, True, 0, PLAN_ALL_PADDING, 2),
        run_case("sgd_plain_dense_no_padding", o.SGD, {"lr": 0.3}, False, None, PLAN, 3,
                 lrs=[None, 0.1, None, 0.05, None]),
        run_case("sgd_momentum_dampening_wd_dense", o.SGD,
                 {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}, False, 0, PLAN, 4),
        run_case("sgd_momentum_dense_skip", o.SGD, {"lr": 0.05, "momentum": 0.9}, False, 0, PLAN_WITH_SKIP, 5),
        run_case("sgd_nesterov_wd_dense", o.SGD,
                 {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}, False, 0, PLAN, 6),
        run_case("adagrad_dense", o.Adagrad,
                 {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.02, "initial_accumulator_value": 0.1, "eps": 1e-10},
                 False, 0, PLAN, 7),
        run_case("adagrad_dense_defaults", o.Adagrad, {"lr": 0.5}, False, 0, PLAN, 8),
        run_case("adagrad_sparse", o.Adagrad,
                 {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.1}, True, 0, PLAN, 9),
        # (no PLAN_ALL_PADDING for Adagrad and SparseAdam: torch 1.13 fails on an empty sparse gradient with "The size
        # of tensor a (5) must match the size of tensor b (0)"; emb4j advances the step count and changes nothing else,
        # as later PyTorch versions do)
        run_case("adagrad_sparse_defaults", o.Adagrad, {"lr": 0.5}, True, 0, PLAN, 10,
                 lrs=[None, None, 0.2, None, None]),
        run_case("adam_dense", o.Adam, {"lr": 0.01, "weight_decay": 0.01}, False, 0, PLAN_WITH_SKIP, 11,
                 lrs=[None, None, None, 0.005, None]),
        run_case("adam_amsgrad_dense", o.Adam, {"lr": 0.02, "betas": [0.8, 0.9], "amsgrad": True}, False, None,
                 PLAN, 12),
        run_case("adamw_dense", o.AdamW, {"lr": 0.01, "weight_decay": 0.05}, False, 0, PLAN, 13),
        run_case("adamw_amsgrad_dense", o.AdamW,
                 {"lr": 0.02, "betas": [0.85, 0.95], "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}, False, 0,
                 PLAN, 14),
        run_case("sparse_adam", o.SparseAdam, {"lr": 0.01, "betas": [0.9, 0.99], "eps": 1e-6}, True, 0,
                 PLAN, 15),
        run_case("sparse_adam_defaults_skip", o.SparseAdam, {"lr": 0.05}, True, 0, PLAN_WITH_SKIP, 16,
                 lrs=[None, None, None, 0.02, None]),
    ]
    doc = {"torch_version": torch.__version__, "generator": "tools/golden/generate_optimizer_goldens.py",
           "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %d cases to %s" % (len(cases), os.path.relpath(OUT, REPO)))


if __name__ == "__main__":
    main()
