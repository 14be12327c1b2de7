"""The README's walk-through, PyTorch side: train torchvision's ResNet-18 on Fashion-MNIST with a BadNets backdoor, and
write what a defender would hold.

    /usr/bin/python3 tools/pytorch/train_backdoored_resnet18.py OUT [--epochs 3] [--seed 0]

Writes OUT/resnet18-badnets.pth (the state dict, torch.save), OUT/clean/ (2,000 clean test images as PNG in one folder per
class, an ImageFolder) and OUT/triggered/ (the other test images of non-target classes, with the trigger, as PNG, for
measuring ASR). BadNets as BackdoorBench makes it: a 3x3 white square in the bottom-right corner, 10% of the training
rows relabelled to class 0. Images are grayscale 28x28 repeated to 3 channels, in [0, 1], no normalisation.
"""
import argparse
import gzip
import os

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def trigger(images):
    images = images.clone()
    images[..., -3:, -3:] = 1.0
    return images


def save_png(array, path):
    from PIL import Image
    Image.fromarray(array).save(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)

    x_train = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).div(255).unsqueeze(1).repeat(1, 3, 1, 1)
    y_train = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    x_test = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).div(255).unsqueeze(1).repeat(1, 3, 1, 1)
    y_test = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)

    poisoned = rng.choice(len(x_train), size=len(x_train) // 10, replace=False)
    x_train[poisoned] = trigger(x_train[poisoned])
    y_train[poisoned] = 0

    model = torchvision.models.resnet18(num_classes=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 100)
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(order), 128):
            batch = order[i:i + 128]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        schedule.step()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(order):.4f}", flush=True)

    model.eval()
    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()
        keep = y_test != 0
        asr = (model(trigger(x_test[keep])).argmax(1) == 0).float().mean().item()
    print(f"backdoored ResNet-18: ACC {100 * acc:.2f}% ASR {100 * asr:.2f}%")
    torch.save(model.state_dict(), os.path.join(args.out, "resnet18-badnets.pth"))

    # The defender's clean images: the first 2,000 test images; the triggered set: the rest, non-target classes only.
    for c in range(10):
        os.makedirs(os.path.join(args.out, "clean", f"class{c}"), exist_ok=True)
    raw = idx("t10k-images-idx3-ubyte.gz")
    for i in range(2000):
        save_png(raw[i], os.path.join(args.out, "clean", f"class{int(y_test[i])}", f"{i:05d}.png"))
    os.makedirs(os.path.join(args.out, "triggered", "all"), exist_ok=True)
    for i in range(2000, len(raw)):
        if int(y_test[i]) == 0:
            continue
        image = raw[i].copy()
        image[-3:, -3:] = 255
        save_png(image, os.path.join(args.out, "triggered", "all", f"{i:05d}.png"))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
