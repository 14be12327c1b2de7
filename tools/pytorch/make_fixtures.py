"""Writes the PyTorch fixtures Antidote's tests load (tests/Antidote.Tests/Fixtures/pytorch): for each architecture, its
state dict as torch.save writes it (.pth) and as safetensors, a fixed input batch and PyTorch's logits for it (eval mode).

    python3 tools/pytorch/make_fixtures.py [OUT_DIR]

Needs python3-torch and python3-torchvision (Debian 12: 1.13 / 0.14). BatchNorm running statistics and affine parameters are
randomised, so a model that ignored them, or used batch statistics in eval mode, would not match.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from architectures import FIXTURES  # noqa: E402
import safetensors_io  # noqa: E402


def randomise_norms(model, generator):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                m.weight.copy_(torch.rand(m.weight.shape, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=generator) + 0.5)
                m.num_batches_tracked.fill_(7)
        for name, p in model.named_parameters():
            if name.endswith("class_token") or name.endswith("pos_embedding") or name.startswith("heads.head"):
                p.copy_(torch.randn(p.shape, generator=generator) * 0.1)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    batch = torch.rand(4, 3, 32, 32, generator=generator)
    manifest = {}
    for name, (build, options) in FIXTURES.items():
        model = build()
        randomise_norms(model, generator)
        model.eval()
        with torch.no_grad():
            logits = model(batch)
        state = model.state_dict()
        torch.save(state, os.path.join(out, f"{name}.pth"))
        safetensors_io.save(state, os.path.join(out, f"{name}.safetensors"))
        safetensors_io.save({"input": batch, "logits": logits}, os.path.join(out, f"{name}.io.safetensors"))
        parameters = sum(p.numel() for p in model.parameters())
        manifest[name] = {"options": options, "input": [3, 32, 32], "classes": 10, "parameters": parameters}
        print(f"{name}: {parameters} parameters, {len(state)} state-dict entries")
        if name == "resnet18":
            # A training checkpoint as people keep them: DataParallel's "module." prefix, the state dict nested under
            # "state_dict" beside other entries, and no num_batches_tracked (PyTorch < 0.4.1 had none).
            wrapped = {"module." + k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
            torch.save({"epoch": 3, "arch": "resnet18", "state_dict": wrapped}, os.path.join(out, "resnet18.checkpoint.pth"))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"torch {torch.__version__}, torchvision {__import__('torchvision').__version__}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Antidote.Tests", "Fixtures", "pytorch"))
