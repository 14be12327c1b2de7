"""Writes a small BackdoorBench 2.x attack record (Blended), as BackdoorBench's attack scripts leave it, to test Antidote's import.

    python3 tools/backdoorbench/make_record.py OUT_DIR [--train-per-class N] [--test-per-class N] [--epochs N] [--width N]

OUT_DIR gets:
  data/cifar-10-batches-bin/   a synthetic CIFAR-10 in the binary version's layout (10 classes, coloured stripes + noise)
  record/blended_tiny/          attack_result.pt, bd_train_dataset/ and bd_test_dataset/ (one PNG per poisoned image,
                               under its original label), attack_df.csv, attack_df_summary.csv

What makes it BackdoorBench's layout (read from utils/save_load_attack.py and utils/bd_dataset_v2.py of SCLBD/BackdoorBench):
attack_result.pt is torch.save of {model_name, num_classes, model (state dict), data_path, img_size, clean_data, bd_train,
bd_test}, where bd_train/bd_test are prepro_cls_DatasetBD_v2.retrieve_state(): {bd_data_container: {save_folder_path,
data_dict: {numpy.int64 index: {"path": PNG path, "other_info": [bd_label, original_label]}}, save_file_format},
getitem_all, getitem_all_switch, original_index_array (numpy int64), poison_indicator (numpy float64), save_folder_path}.
bd_test holds the test images of every class but the target (the attack scripts subset it to the poisoned rows). The summary CSV
has BackdoorBench's rows last / valid_max / exist_nan_value, with test_acc, test_asr, test_ra as fractions, measured here
the way BackdoorBench measures them: the clean test set, and the bd_test PNGs read back, normalised with CIFAR-10's mean/std.
The model is BackdoorBench's PreAct-ResNet18 (transcribed in tools/pytorch/architectures.py) at a small width, trained with
Adam on the poisoned set (BackdoorBench trains with SGD; how the model was trained is not what this record tests).
Needs python3-torch and python3-pil (Debian 12). tests/Antidote.Tests/Fixtures/backdoorbench is this script's output with its
defaults (record/blended_tiny and data/cifar-10-batches-bin/test_batch.bin).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from architectures import PreActResNet18  # noqa: E402

MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)  # BackdoorBench's CIFAR-10 normalisation
STD = torch.tensor([0.247, 0.243, 0.261]).view(1, 3, 1, 1)
TARGET = 0  # config/attack/blended/default.yaml: all2one, target 0, pratio 0.1
PRATIO = 0.1


def synthetic_cifar(per_class, rng):
    """uint8 [N, 32, 32, 3] images and labels: classes 2j and 2j+1 share a colour and differ in stripe period, plus noise."""
    images, labels = [], []
    yy, xx = np.mgrid[0:32, 0:32]
    for k in range(10):
        c = k // 2
        colour = np.array([(c * 37) % 200 + 30, (c * 71) % 200 + 30, (c * 113) % 200 + 30], dtype=np.float64)
        period = 2 + k % 2
        stripes = ((xx + yy) // period) % 2
        for _ in range(per_class):
            base = colour[None, None, :] * (0.6 + 0.4 * stripes[..., None])
            noisy = base + rng.normal(0, 45, size=(32, 32, 3))
            images.append(np.clip(noisy, 0, 255).astype(np.uint8))
            labels.append(k)
    return np.stack(images), np.array(labels, dtype=np.int64)


def write_cifar_binary(path, images, labels):
    """CIFAR-10 binary rows: one label byte, then the red, green and blue planes of 1,024 bytes each."""
    with open(path, "wb") as f:
        for image, label in zip(images, labels):
            f.write(bytes([int(label)]))
            f.write(np.ascontiguousarray(image.transpose(2, 0, 1)).tobytes())


BLEND_PATTERN = np.random.default_rng(12345).integers(0, 256, size=(32, 32, 3)).astype(np.float64)


def blended_trigger(image, alpha=0.2):
    """BackdoorBench's Blended: (1 - alpha) x + alpha pattern, alpha 0.2 (config/attack/blended/default.yaml), with a fixed
    random pattern here instead of its Hello Kitty photograph (not shipped with Antidote)."""
    return np.clip((1 - alpha) * image.astype(np.float64) + alpha * BLEND_PATTERN, 0, 255).astype(np.uint8)


def to_input(images_uint8):
    x = torch.from_numpy(images_uint8).permute(0, 3, 1, 2).float() / 255.0
    return (x - MEAN) / STD


def poisoned_container(images, labels, rows, save_path, folder):
    """Writes each poisoned row's PNG under {folder}/{original label}/{index}.png and returns its retrieve_state()."""
    data_dict = {}
    for i in rows:
        label = int(labels[i])
        sub = os.path.join(save_path, folder, str(label))
        os.makedirs(sub, exist_ok=True)
        file_path = f"{save_path}/{folder}/{label}/{i}.png"
        Image.fromarray(blended_trigger(images[i])).save(file_path)
        data_dict[np.int64(i)] = {"path": file_path, "other_info": [TARGET, label]}
    indicator = np.zeros(len(labels))
    indicator[rows] = 1
    return {
        "bd_data_container": {"save_folder_path": f"{save_path}/{folder}", "data_dict": data_dict, "save_file_format": ".png"},
        "getitem_all": True,
        "getitem_all_switch": False,
        "original_index_array": np.array(rows, dtype=np.int64),
        "poison_indicator": indicator,
        "save_folder_path": f"{save_path}/{folder}",
    }


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--train-per-class", type=int, default=30)
    parser.add_argument("--test-per-class", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--width", type=int, default=8)
    parser.add_argument("--pratio", type=float, default=PRATIO)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--name", default="blended_tiny")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    train_x, train_y = synthetic_cifar(args.train_per_class, rng)
    test_x, test_y = synthetic_cifar(args.test_per_class, rng)
    data = os.path.join(args.out, "data", "cifar-10-batches-bin")
    os.makedirs(data, exist_ok=True)
    for b, chunk in enumerate(np.array_split(np.arange(len(train_y)), 5)):
        write_cifar_binary(os.path.join(data, f"data_batch_{b + 1}.bin"), train_x[chunk], train_y[chunk])
    write_cifar_binary(os.path.join(data, "test_batch.bin"), test_x, test_y)

    # BackdoorBench runs from its repository root with save paths like ./record/NAME; the PNG paths in the pickle keep that form.
    os.chdir(args.out)
    save_path = f"./record/{args.name}"
    os.makedirs(save_path, exist_ok=True)
    candidates = np.where(train_y != TARGET)[0]
    train_rows = np.sort(rng.choice(candidates, size=int(round(args.pratio * len(train_y))), replace=False))
    test_rows = np.where(test_y != TARGET)[0]
    bd_train = poisoned_container(train_x, train_y, train_rows, save_path, "bd_train_dataset")
    bd_test = poisoned_container(test_x, test_y, test_rows, save_path, "bd_test_dataset")

    poisoned_x, poisoned_y = train_x.copy(), train_y.copy()
    for i in train_rows:
        poisoned_x[i] = blended_trigger(train_x[i])
        poisoned_y[i] = TARGET
    model = PreActResNet18(width=args.width, classes=10)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    inputs, targets = to_input(poisoned_x), torch.from_numpy(poisoned_y)
    clean_test = to_input(test_x), torch.from_numpy(test_y)
    # The bd_test images are read back from their PNGs, as BackdoorBench's loader does.
    bd_images = np.stack([np.array(Image.open(bd_test["bd_data_container"]["data_dict"][np.int64(i)]["path"])) for i in test_rows])
    bd_test_x = to_input(bd_images)
    history = []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(targets))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            optimizer.zero_grad()
            F.cross_entropy(model(inputs[batch]), targets[batch]).backward()
            optimizer.step()
        history.append({
            "epoch": epoch,
            "test_acc": accuracy(model, *clean_test),
            "test_asr": accuracy(model, bd_test_x, torch.full((len(test_rows),), TARGET)),
            "test_ra": accuracy(model, bd_test_x, torch.from_numpy(test_y[test_rows])),
        })
        print(f"epoch {epoch}: " + ", ".join(f"{k} {v:.4f}" for k, v in history[-1].items() if k != "epoch"), flush=True)

    torch.save({
        "model_name": "preactresnet18",
        "num_classes": 10,
        "model": model.cpu().state_dict(),
        "data_path": "./data/cifar10",
        "img_size": [32, 32, 3],
        "clean_data": "cifar10",
        "bd_train": bd_train,
        "bd_test": bd_test,
    }, f"{save_path}/attack_result.pt")

    columns = ["epoch", "test_acc", "test_asr", "test_ra"]
    with open(f"{save_path}/attack_df.csv", "w") as f:
        f.write("," + ",".join(columns) + "\n")
        for i, row in enumerate(history):
            f.write(f"{i}," + ",".join(repr(row[c]) for c in columns) + "\n")
    with open(f"{save_path}/attack_df_summary.csv", "w") as f:
        f.write("," + ",".join(columns) + "\n")
        f.write("last," + ",".join(repr(history[-1][c]) for c in columns) + "\n")
        f.write("valid_max," + ",".join(repr(max(r[c] for r in history)) for c in columns) + "\n")
        f.write("exist_nan_value," + ",".join("False" for _ in columns) + "\n")
    print(f"record: {os.path.join(args.out, save_path)}; last: " +
          ", ".join(f"{c} {history[-1][c]:.4f}" for c in columns[1:]))


if __name__ == "__main__":
    main()
