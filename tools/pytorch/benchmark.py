"""The PyTorch side of `antidote benchmark --compare`: the work `antidote benchmark` times, done by a plain PyTorch loop.

Same networks (the small CNN at width 32 and PreAct-ResNet18 at width 16 on 1x28x28 inputs), same synthetic data sizes
(512 images for throughput, 3,000 for the defenses), same batches (128 to train, 256 to evaluate, 512 for the clean hinge, 256 for FT and D3),
the same per-sample random crop (zero padding 4) and normalisation inside every training step, SGD with momentum 0.9,
and the same measure: images/s over 5 epochs after one warm-up epoch, and a defense's seconds per epoch as
(time of 6 epochs - time of 2 epochs) / 4, so set-up such as D3 dual's 5 reference epochs is excluded as in Antidote;
each the median of --repeats timed repetitions (default 3), as in Antidote.

    python3 tools/pytorch/benchmark.py --threads 2 --out torch-benchmark.json
    ./antidote benchmark --threads 2 --compare torch-benchmark.json

Needs only PyTorch (Debian 12: apt-get install python3-torch, PyTorch 1.13).
"""
import argparse
import json
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from architectures import PreActResNet18

MEAN, STD, PADDING = 0.5, 0.25, 4


class SmallCnn(nn.Module):
    """Antidote's small CNN: [conv3x3 -> BN -> ReLU -> max-pool] x 2 -> fc1 -> ReLU -> linear."""

    def __init__(self, width=32, hidden=128, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(2 * width)
        self.fc1 = nn.Linear(2 * width * 7 * 7, hidden)
        self.linear = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.linear(F.relu(self.fc1(torch.flatten(x, 1))))


def preact_resnet18(width):
    model = PreActResNet18(width, 10)
    model.conv1 = nn.Conv2d(1, width, kernel_size=3, stride=1, padding=1, bias=False)
    return model


def augment(x):
    """Per-sample random crop with zero padding, gathered as Antidote's TrainAugmentation does."""
    n, c, h, w = x.shape
    padded = F.pad(x, [PADDING] * 4)
    dy = torch.randint(0, 2 * PADDING + 1, (n,))
    dx = torch.randint(0, 2 * PADDING + 1, (n,))
    rows = (dy.view(n, 1, 1, 1) + torch.arange(h).view(1, 1, h, 1)).expand(n, c, h, w + 2 * PADDING)
    cropped = padded.gather(2, rows)
    cols = (dx.view(n, 1, 1, 1) + torch.arange(w).view(1, 1, 1, w)).expand(n, c, h, w)
    return cropped.gather(3, cols)


def train(model, images, labels, epochs, batch, lr, weight_decay, loss_fn=None, after_step=None, after_epoch=None):
    """Antidote's Trainer: shuffled batches, augmentation, normalisation, SGD momentum 0.9, cosine learning rate per epoch."""
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr, momentum=0.9, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(images))
        for start in range(0, len(images), batch):
            index = order[start:start + batch]
            inputs = (augment(images[index]) - MEAN) / STD
            logits = model(inputs)
            loss = loss_fn(logits, labels[index]) if loss_fn else F.cross_entropy(logits, labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if after_step:
                after_step()
        scheduler.step()
        if after_epoch:
            after_epoch()


@torch.no_grad()
def mean_hinge(model, images, labels, epsilon=0.1, batch=512):
    model.eval()
    total = 0.0
    for start in range(0, len(images), batch):
        logits = model((images[start:start + batch] - MEAN) / STD)
        total += F.relu(F.cross_entropy(logits, labels[start:start + batch], reduction="none") - epsilon).sum().item()
    return total / len(images)


def d3(model, images, labels, epochs, dual):
    """D3 on the classifier: loss = lambda * hinge - ||W - W0||, each weight projected back onto its initial norm after
    every step. Dual mode also keeps what Antidote's dual ascent reads by default: the mean hinge of each epoch's batches,
    and a pass over the clean set after the first epoch and every 10th (the scale between the two)."""
    selected = [model.linear.weight]
    initial = [w.detach().clone() for w in selected]
    norms = [w.norm() for w in initial]
    with torch.no_grad():
        for w in selected:
            w.zero_()

    batch_hinges, epoch = [], [0]

    def loss_fn(logits, y):
        hinge = F.relu(F.cross_entropy(logits, y, reduction="none") - 0.1).mean()
        if dual:
            batch_hinges.append(hinge.detach())
        distance = sum((w - w0).norm() for w, w0 in zip(selected, initial))
        return 0.5 * hinge - distance

    def after_epoch():
        epoch[0] += 1
        signal = torch.stack(batch_hinges).mean().item()
        batch_hinges.clear()
        if epoch[0] == 1 or epoch[0] % 10 == 0:
            signal = mean_hinge(model, images, labels)
        return signal

    @torch.no_grad()
    def project():
        for w, n in zip(selected, norms):
            w.mul_(n / w.norm().clamp_min(1e-12))

    train(model, images, labels, epochs, 256, 0.005 if dual else 0.01, 0.0, loss_fn, project, after_epoch if dual else None)


def seconds(work):
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def seconds_per_epoch(run):
    return (seconds(lambda: run(6)) - seconds(lambda: run(2))) / 4


def median(repeats, measure):
    """The median of repeated timings, as `antidote benchmark --repeats` reports."""
    return statistics.median(measure() for _ in range(repeats))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20, help="timed training steps per model (as antidote benchmark --steps)")
    parser.add_argument("--clean-samples", type=int, default=3000, help="the defenses' subset (Antidote's benchmark: 3,000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions per measurement, median reported (as antidote benchmark --repeats)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cases = [("small-cnn", 32, lambda: SmallCnn(32)), ("preact-resnet18", 16, lambda: preact_resnet18(16))]
    models, defenses = [], []
    for name, width, build in cases:
        images, labels = torch.rand(512, 1, 28, 28), torch.randint(0, 10, (512,))
        model = build()
        train(model, images, labels, 1, 128, 0.01, 5e-4)
        epochs = max(1, args.steps // 4)
        train_rate = epochs * len(images) / median(args.repeats, lambda: seconds(lambda: train(model, images, labels, epochs, 128, 0.01, 5e-4)))

        def evaluate():
            with torch.no_grad():
                model.eval()
                for start_row in range(0, len(images), 256):
                    model((images[start_row:start_row + 256] - MEAN) / STD).argmax(1)
        eval_rate = len(images) / median(args.repeats, lambda: seconds(evaluate))
        models.append({"model": name, "width": width, "input": "1x28x28", "trainImagesPerSecond": train_rate, "evalImagesPerSecond": eval_rate})

        clean, clean_labels = torch.rand(args.clean_samples, 1, 28, 28), torch.randint(0, 10, (args.clean_samples,))
        state = model.state_dict()

        def fresh():
            copy = build()
            copy.load_state_dict(state)
            return copy
        ft = median(args.repeats, lambda: seconds_per_epoch(lambda e: train(fresh(), clean, clean_labels, e, 256, 0.01, 5e-4)))
        fixed = median(args.repeats, lambda: seconds_per_epoch(lambda e: d3(fresh(), clean, clean_labels, e, dual=False)))
        dual = median(args.repeats, lambda: seconds_per_epoch(lambda e: d3(fresh(), clean, clean_labels, e, dual=True)))
        defenses.append({"model": name, "width": width, "cleanSamples": args.clean_samples, "ftSecondsPerEpoch": ft,
                         "d3FixedSecondsPerEpoch": fixed, "d3DualSecondsPerEpoch": dual})
        print(f"{name} (width {width}): train {train_rate:.0f} img/s, eval {eval_rate:.0f} img/s; "
              f"FT {ft:.2f} s/epoch, D3 fixed {fixed:.2f}, D3 dual {dual:.2f}", flush=True)
    with open(args.out, "w") as f:
        json.dump({"engine": f"PyTorch {torch.__version__}", "threads": args.threads, "machine": platform.processor() or platform.machine(),
                   "repeats": args.repeats,
                   "models": models, "defenses": defenses}, f, indent=2)


if __name__ == "__main__":
    main()
