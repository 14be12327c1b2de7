"""The architectures Antidote mirrors, built by PyTorch and torchvision themselves, at small sizes.

torchvision's ResNet and VGG classes have fixed widths; `resnet` and `vgg` rebuild their layers at a smaller width with
torchvision's own building blocks (`ResNet._make_layer`, `vgg.make_layers`), so the forward pass and the parameter names
are torchvision's, only the channel counts shrink. The VisionTransformer takes its sizes as arguments. PreAct-ResNet18 is
BackdoorBench's (models/preact_resnet.py), transcribed here because BackdoorBench is not a Debian package.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models import resnet as tv_resnet
from torchvision.models import vgg as tv_vgg


def resnet(depth, width, classes):
    block, layers = {18: (tv_resnet.BasicBlock, [2, 2, 2, 2]), 34: (tv_resnet.BasicBlock, [3, 4, 6, 3]),
                     50: (tv_resnet.Bottleneck, [3, 4, 6, 3])}[depth]
    model = tv_resnet.ResNet(block, layers, num_classes=classes)
    model.inplanes = width
    model.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(width)
    model.layer1 = model._make_layer(block, width, layers[0])
    model.layer2 = model._make_layer(block, 2 * width, layers[1], stride=2)
    model.layer3 = model._make_layer(block, 4 * width, layers[2], stride=2)
    model.layer4 = model._make_layer(block, 8 * width, layers[3], stride=2)
    model.fc = nn.Linear(8 * width * block.expansion, classes)
    return model


def vgg(depth, width, hidden, classes):
    cfg = tv_vgg.cfgs["D" if depth == 16 else "E"]
    scaled = [v if v == "M" else v * width // 64 for v in cfg]
    model = tv_vgg.VGG(tv_vgg.make_layers(scaled, batch_norm=True), num_classes=classes)
    channels = scaled[-2]
    model.classifier = nn.Sequential(
        nn.Linear(channels * 7 * 7, hidden), nn.ReLU(True), nn.Dropout(0.5),
        nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(0.5),
        nn.Linear(hidden, classes))
    return model


def vit(image_size, patch_size, layers, heads, hidden, mlp_dim, classes):
    return torchvision.models.VisionTransformer(image_size=image_size, patch_size=patch_size, num_layers=layers,
                                                num_heads=heads, hidden_dim=hidden, mlp_dim=mlp_dim, num_classes=classes)


class PreActBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out) if hasattr(self, "shortcut") else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class PreActResNet18(nn.Module):
    def __init__(self, width=64, classes=10):
        super().__init__()
        self.in_planes = width
        self.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.layer1 = self._make_layer(width, 2, 1)
        self.layer2 = self._make_layer(2 * width, 2, 2)
        self.layer3 = self._make_layer(4 * width, 2, 2)
        self.layer4 = self._make_layer(8 * width, 2, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(8 * width, classes)

    def _make_layer(self, planes, blocks, stride):
        layers = []
        for s in [stride] + [1] * (blocks - 1):
            layers.append(PreActBlock(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.conv1(x)
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        return self.linear(torch.flatten(self.avgpool(out), 1))


# name in Antidote's catalog -> (builder, Antidote's model options as its JSON)
FIXTURES = {
    "resnet18": (lambda: resnet(18, 4, 10), {"width": 4}),
    "resnet34": (lambda: resnet(34, 4, 10), {"width": 4}),
    "resnet50": (lambda: resnet(50, 4, 10), {"width": 4}),
    "vgg16-bn": (lambda: vgg(16, 4, 32, 10), {"width": 4, "hidden": 32}),
    "vgg19-bn": (lambda: vgg(19, 4, 32, 10), {"width": 4, "hidden": 32}),
    "vit": (lambda: vit(32, 4, 2, 2, 16, 32, 10), {"patchSize": 4, "layers": 2, "heads": 2, "hidden": 16, "mlpDim": 32}),
    "preact-resnet18": (lambda: PreActResNet18(4, 10), {"width": 4}),
}
