"""The README's walk-through, back in PyTorch: load a ResNet-18 state dict (the backdoored one, or the one `antidote detox`
wrote) with torch.load into torchvision's resnet18 and report its ACC and BadNets ASR on the Fashion-MNIST test set.

    /usr/bin/python3 tools/pytorch/evaluate_resnet18.py MODEL.pth [MODEL.pth ...]
"""
import sys

import torch
import torchvision

from train_backdoored_resnet18 import idx, trigger


def main(paths):
    x = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).div(255).unsqueeze(1).repeat(1, 3, 1, 1)
    y = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    keep = y != 0
    for path in paths:
        model = torchvision.models.resnet18(num_classes=10)
        model.load_state_dict(torch.load(path, map_location="cpu"), strict=True)
        model.eval()
        with torch.no_grad():
            acc = (model(x).argmax(1) == y).float().mean().item()
            asr = (model(trigger(x[keep])).argmax(1) == 0).float().mean().item()
        print(f"{path}: ACC {100 * acc:.2f}%  ASR {100 * asr:.2f}% (PyTorch {torch.__version__}, all 10,000 test images)")


if __name__ == "__main__":
    main(sys.argv[1:])
