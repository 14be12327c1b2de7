"""The README's walk-through, back in PyTorch: load a ResNet-18 state dict (the backdoored one, or the one `antidote detox`
wrote) with torch.load into torchvision's resnet18 and report its ACC and BadNets ASR on the Fashion-MNIST test set, all of it and the 8,000 images detox never saw.

    /usr/bin/python3 tools/pytorch/evaluate_resnet18.py MODEL.pth [MODEL.pth ...]
"""
import sys

import torch
import torchvision

from train_backdoored_resnet18 import idx, trigger


def main(paths):
    x = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).div(255).unsqueeze(1).repeat(1, 3, 1, 1)
    y = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    # The walk-through gives detox test images 0-1,999 as the defender's clean images; 2,000-9,999 are unseen by it.
    unseen = torch.arange(len(y)) >= 2000
    for path in paths:
        model = torchvision.models.resnet18(num_classes=10)
        model.load_state_dict(torch.load(path, map_location="cpu"), strict=True)
        model.eval()
        with torch.no_grad():
            predicted = model(x).argmax(1)
            triggered = model(trigger(x)).argmax(1)
        for label, rows in (("all 10,000 test images", torch.ones_like(unseen)), ("the 8,000 detox never saw", unseen)):
            acc = (predicted[rows] == y[rows]).float().mean().item()
            attackable = rows & (y != 0)
            asr = (triggered[attackable] == 0).float().mean().item()
            print(f"{path}: ACC {100 * acc:.2f}%  ASR {100 * asr:.2f}% on {label} (PyTorch {torch.__version__})")


if __name__ == "__main__":
    main(sys.argv[1:])
