"""Loads the models Antidote wrote (PyTorchExportTests and DefendedExportTests with ANTIDOTE_EXPORT_DIR set) in PyTorch,
from .pth with torch.load and from safetensors, with load_state_dict(strict=True), and checks that PyTorch's logits equal
Antidote's to 1e-4. NAME.io.safetensors holds each fixture's input and logits; NAME.DEFENSE.pth is the fixture after a
defense (NAME.DEFENSE.io.safetensors beside it).

    /usr/bin/python3 tools/pytorch/check_export.py DIR

Prints one line per file and exits 1 if any differs or fails to load.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from architectures import FIXTURES  # noqa: E402
import safetensors_io  # noqa: E402


def main(folder):
    failures = 0
    readers = {"pth": lambda p: torch.load(p, map_location="cpu"), "safetensors": safetensors_io.load}
    for name, (build, _) in FIXTURES.items():
        # The plain export must be there in both formats; defended ones are whatever DefendedExportTests wrote.
        cases = [(name, fmt) for fmt in readers]
        defended = sorted(f[: -len(".io.safetensors")] for f in os.listdir(folder)
                          if f.startswith(name + ".") and f.endswith(".io.safetensors") and f != f"{name}.io.safetensors")
        cases += [(stem, "pth") for stem in defended]
        for stem, fmt in cases:
            path = os.path.join(folder, f"{stem}.{fmt}")
            try:
                io = safetensors_io.load(os.path.join(folder, f"{stem}.io.safetensors"))
                model = build()
                model.load_state_dict(readers[fmt](path), strict=True)
                model.eval()
                with torch.no_grad():
                    difference = (model(io["input"]) - io["logits"]).abs().max().item()
                ok = difference <= 1e-4
                print(f"{'ok  ' if ok else 'FAIL'} {stem}.{fmt}: PyTorch's logits differ from Antidote's by {difference:.2e}")
            except Exception as e:  # one line per file, whatever went wrong
                ok = False
                print(f"FAIL {stem}.{fmt}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            failures += not ok
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1])
