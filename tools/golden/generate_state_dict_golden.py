#!/usr/bin/env python3
"""Golden for loading a PyTorch state_dict into an emb4j model.

Builds the seeds' SimpleClassifier shape in PyTorch at a small size (Embedding(20, 6) -> mean over the sequence ->
Linear(6, 8) -> ReLU -> Linear(8, 3)), and writes into emb4j-core/src/test/resources/state_dict/:

- simple_classifier.safetensors: model.state_dict() as safetensors, keys embedding.weight, fc1.weight, fc1.bias,
  fc2.weight, fc2.bias (F32, in state_dict order), as safetensors.torch.save_file writes them;
- expected.safetensors: "input", a (5, 4) batch of int64 token ids, and "logits", the model's float32 output for it.

dev.emb4j.checkpoint.StateDictGoldenTest loads the first into the same model written with emb4j and compares its
output with the second. Run from the repository root with Debian's python3-torch 1.13 and python3-numpy (no safetensors package
needed: generate_interop_goldens.py writes the format by hand, following https://github.com/huggingface/safetensors):

    /usr/bin/python3 tools/golden/generate_state_dict_golden.py
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_interop_goldens import write_safetensors  # noqa: E402  (the same hand-written safetensors writer)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "emb4j-core", "src", "test", "resources", "state_dict")


class SimpleClassifier(nn.Module):
    def __init__(self, vocab, dim, hidden, classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = self.embedding(x).mean(dim=1)
        return self.fc2(self.relu(self.fc1(x)))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(16)
    model = SimpleClassifier(20, 6, 8, 3)
    model.eval()
    ids = torch.randint(0, 20, (5, 4), dtype=torch.int64)
    with torch.no_grad():
        logits = model(ids)
    state = [(k, v.detach().clone()) for k, v in model.state_dict().items()]
    write_safetensors(os.path.join(OUT, "simple_classifier.safetensors"), state, {"format": "pt"})
    write_safetensors(
        os.path.join(OUT, "expected.safetensors"), [("input", ids), ("logits", logits)], {"torch": torch.__version__}
    )
    print("wrote", [k for k, _ in state], "and", tuple(logits.shape), "logits to", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
