"""PyTorch peer of the MLNetCnn speed benchmarks.

Builds the same networks as MLNetCnn's model zoo (MLNetCnn/Architectures/*.cs: layer for layer, the same
initialisation), trains and scores them on the same synthetic data with the same optimizer, batch size, thread
count and step, and prints the same JSON as the .NET probe (ProbeResult), one line on stdout.

Each measurement runs twice, in PyTorch's default layout ("pytorch") and channels-last ("pytorch-channels-last": the
model and every batch in torch.channels_last), so that MLNetCnn is compared with the peer at its best. With "peer":
"torchvision" the network is torchvision's own (ResNet-18), not this script's copy of ours.

Usage: /usr/bin/python3 peer.py '<ProbeRequest as JSON>'
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# --- LeNet-5 (LeNet.cs, "lenet5"): ReLU and max-pooling, C1 zero-padded up to 32x32 -------------------------------

class LeNet5(nn.Module):
    def __init__(self, channels, height, width, classes):
        super().__init__()
        pad_h = max(0, (32 - height + 1) // 2)
        pad_w = max(0, (32 - width + 1) // 2)

        def s4_side(side, pad):
            side = side + 2 * pad - 4   # c1 5x5
            side = side // 2            # s2
            side = side - 4             # c3 5x5
            return side // 2            # s4

        self.features = nn.Sequential(
            nn.Conv2d(channels, 6, 5, padding=(pad_h, pad_w)), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * s4_side(height, pad_h) * s4_side(width, pad_w), 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


# --- Residual networks (ResNet.cs, BasicBlock.cs, ResidualShortcut.cs) ----------------------------------------------

def he_initialise(modules):
    """Initialisation.Apply with kaiming_normal_(fan_out, relu) on every Conv2d/Linear weight, biases 0."""
    with torch.no_grad():
        for root in modules:
            for m in root.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)


class BasicBlock(nn.Module):
    def __init__(self, in_channels, channels, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn1(self.conv1(x)).relu_()
        out = self.bn2(self.conv2(out))
        return out.add_(identity).relu_()


class ZeroPaddingShortcut(nn.Module):
    """Option A: subsample by the stride and pad with zero channels."""

    def __init__(self, extra_channels, stride):
        super().__init__()
        self.extra_channels = extra_channels
        self.stride = stride

    def forward(self, x):
        sub = x[:, :, ::self.stride, ::self.stride]
        return F.pad(sub, (0, 0, 0, 0, 0, self.extra_channels))


def projection(in_channels, out_channels, stride):
    """Option B: strided 1x1 convolution and batch normalisation."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels))


class ImageNetResNet(nn.Module):
    """ResNet-18 of basic blocks [2, 2, 2, 2]; below 64 pixels a 3x3 stride-1 stem and no max-pool."""

    def __init__(self, channels, height, width, classes, blocks=(2, 2, 2, 2)):
        super().__init__()
        small = min(height, width) < 64
        self.conv1 = (nn.Conv2d(channels, 64, 3, padding=1, bias=False) if small
                      else nn.Conv2d(channels, 64, 7, stride=2, padding=3, bias=False))
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity() if small else nn.MaxPool2d(3, 2, 1)
        self.in_channels = 64
        self.layer1 = self.make(64, blocks[0], 1)
        self.layer2 = self.make(128, blocks[1], 2)
        self.layer3 = self.make(256, blocks[2], 2)
        self.layer4 = self.make(512, blocks[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)
        he_initialise([self.conv1, self.layer1, self.layer2, self.layer3, self.layer4])

    def make(self, channels, blocks, stride):
        shortcut = projection(self.in_channels, channels, stride) if stride != 1 or self.in_channels != channels else None
        layers = [BasicBlock(self.in_channels, channels, stride, shortcut)]
        self.in_channels = channels
        layers += [BasicBlock(channels, channels) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


class CifarResNet(nn.Module):
    """ResNet-6n+2 for CIFAR (section 4.2): 16, 32, 64 filters, option A shortcuts."""

    def __init__(self, channels, classes, n):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self.stage(16, 16, n, 1)
        self.layer2 = self.stage(16, 32, n, 2)
        self.layer3 = self.stage(32, 64, n, 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)
        he_initialise([self.conv1, self.layer1, self.layer2, self.layer3])

    @staticmethod
    def stage(in_channels, channels, blocks, stride):
        shortcut = ZeroPaddingShortcut(channels - in_channels, stride) if stride != 1 or in_channels != channels else None
        return nn.Sequential(BasicBlock(in_channels, channels, stride, shortcut),
                             *[BasicBlock(channels, channels) for _ in range(1, blocks)])

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


# --- MobileNet v1 (MobileNet.cs, DepthwiseSeparableBlock.cs) ---------------------------------------------------------

MOBILENET_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


class DepthwiseSeparable(nn.Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv_dw = nn.Conv2d(in_channels, in_channels, 3, stride=stride, padding=1, groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv_pw = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        x = self.bn1(self.conv_dw(x)).relu_()
        return self.bn2(self.conv_pw(x)).relu_()


class MobileNetV1(nn.Module):
    """Alpha 1, rho 1; below 64 pixels the first convolution runs at stride 1."""

    def __init__(self, channels, height, width, classes):
        super().__init__()
        small = min(height, width) < 64
        self.conv1 = nn.Conv2d(channels, 32, 3, stride=1 if small else 2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.relu = nn.ReLU(inplace=True)
        layers, c = [], 32
        for filters, stride in MOBILENET_BLOCKS:
            layers.append(DepthwiseSeparable(c, filters, stride))
            c = filters
        self.blocks = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, classes)
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.trunc_normal_(m.weight, 0, 0.09, -0.18, 0.18)
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.blocks(self.relu(self.bn1(self.conv1(x))))
        return self.fc(self.avgpool(x).flatten(1))


LAYOUTS = {"pytorch": torch.contiguous_format, "pytorch-channels-last": torch.channels_last}


def build(request, layout=torch.contiguous_format):
    return build_network(request).to(memory_format=layout)


def build_network(request):
    c, h, w, k = request["channels"], request["height"], request["width"], request["classes"]
    arch = request["architecture"]
    if request.get("peer", "ours") == "torchvision":
        import torchvision
        if arch != "resnet18" or c != 3:
            raise SystemExit(f"the torchvision peer is ResNet-18 on 3-channel images, not '{arch}' on {c}")
        return torchvision.models.resnet18(num_classes=k)
    if arch == "lenet5":
        return LeNet5(c, h, w, k)
    if arch == "resnet20":
        return CifarResNet(c, k, 3)
    if arch == "resnet18":
        return ImageNetResNet(c, h, w, k)
    if arch == "mobilenet-v1":
        return MobileNetV1(c, h, w, k)
    raise SystemExit(f"peer.py has no PyTorch definition of '{arch}'")


# --- The measurements (TrainingProbe.cs, ScoringProbe.cs, TrainingStep.cs) -------------------------------------------

def synthetic(request, count):
    g = torch.Generator().manual_seed(request["seed"])
    images = torch.randint(0, 256, (count, request["channels"], request["height"], request["width"]), generator=g).float()
    labels = torch.arange(count) % request["classes"]
    labels = labels[torch.randperm(count, generator=g)]
    return images, labels


def normalisation(images):
    """InputNormalization.FromData: per-channel mean and standard deviation of the training pixels."""
    dims = (0, 2, 3)
    return images.mean(dims).view(1, -1, 1, 1), images.std(dims, unbiased=False).view(1, -1, 1, 1)


def train_run(request, images, labels, layout):
    """One epoch as ClassifierTrainer runs it: shuffled index_select batches, standardised, Adam(1e-3)."""
    model = build(request, layout)
    mean, std = normalisation(images)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    batch = request["batchSize"]
    n = images.shape[0]
    start = time.perf_counter()
    order = torch.randperm(n)
    loss_sum, correct = 0.0, 0
    for first in range(0, n, batch):
        count = min(batch, n - first)
        if count == 1 and n > 1:
            break
        idx = order[first:first + count]
        target = labels.index_select(0, idx)
        x = images.index_select(0, idx).sub(mean).div_(std).contiguous(memory_format=layout)
        logits = model(x)
        loss = F.cross_entropy(logits, target)
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit("the loss diverged")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss_sum += value * count
        correct += logits.argmax(1).eq(target).sum().item()
    return time.perf_counter() - start


def score_run(model, images, mean, std, batch, layout):
    """CnnModel.PredictProbabilities over every batch: evaluation mode, no gradients, softmax."""
    start = time.perf_counter()
    with torch.no_grad():
        for first in range(0, images.shape[0], batch):
            x = images[first:first + batch].sub(mean).div_(std).contiguous(memory_format=layout)
            F.softmax(model(x), 1).numpy()
    return time.perf_counter() - start


def median_latency(model, images, mean, std, predictions, layout):
    times = []
    with torch.no_grad():
        for i in range(predictions):
            start = time.perf_counter()
            x = images[i % images.shape[0]].unsqueeze(0).sub(mean).div_(std).contiguous(memory_format=layout)
            F.softmax(model(x), 1).numpy()
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[predictions // 2]


def usage():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime, u.ru_stime, u.ru_minflt


def main():
    request = json.loads(sys.argv[1])
    torch.set_num_threads(request["threads"])
    torch.manual_seed(request["seed"])
    count = request["steps"] * request["batchSize"]
    images, labels = synthetic(request, count)
    result = {"trainImagesPerSecond": {}, "scoreImagesPerSecond": {}, "latencyMilliseconds": {},
              "minorFaultsPerStep": {}, "systemSecondsPerStep": {}, "userSecondsPerStep": {},
              "runtime": f"PyTorch {torch.__version__}, Python {sys.version.split()[0]}"}
    for way, layout in LAYOUTS.items():
        if request["task"] == "Train":
            rates = []
            totals = [0.0, 0.0, 0]
            for run in range(-request["warmups"], request["repeats"]):
                before = usage()
                seconds = train_run(request, images, labels, layout)
                after = usage()
                if run >= 0:
                    rates.append(count / seconds)
                    totals = [t + (a - b) for t, a, b in zip(totals, after, before)]
            steps = request["steps"] * request["repeats"]
            result["trainImagesPerSecond"][way] = rates
            result["userSecondsPerStep"][way] = totals[0] / steps
            result["systemSecondsPerStep"][way] = totals[1] / steps
            result["minorFaultsPerStep"][way] = totals[2] / steps
        else:
            model = build(request, layout)
            model.eval()
            mean, std = normalisation(images)
            rates, latencies = [], []
            for run in range(-request["warmups"], request["repeats"]):
                seconds = score_run(model, images, mean, std, request["batchSize"], layout)
                latency = median_latency(model, images, mean, std, request["predictions"], layout)
                if run >= 0:
                    rates.append(count / seconds)
                    latencies.append(latency)
            result["scoreImagesPerSecond"][way] = rates
            result["latencyMilliseconds"][way] = latencies
    result["parameters"] = sum(p.numel() for p in build_network(request).parameters())
    result["peakResidentBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
