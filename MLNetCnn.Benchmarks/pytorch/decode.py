"""PyTorch peer of the scale benchmark's decode rate: torchvision's ImageFolder read through a DataLoader, as a PyTorch
user feeds a network from a folder of photos (Resize to the network's input, ToTensor), with a given number of worker
processes, timing one full pass over the folder. Prints one JSON line: images, seconds, images/s, CPU time per image
(user and system, this process and its workers), peak resident memory of this process and of its workers.

Usage: /usr/bin/python3 decode.py FOLDER SIZE WORKERS [BATCH]   (WORKERS 0 decodes in this process)
"""
import json
import resource
import sys
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main():
    folder, size, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    torch.set_num_threads(1)
    data = datasets.ImageFolder(folder, transform=transforms.Compose([transforms.Resize((size, size)), transforms.ToTensor()]))
    loader = DataLoader(data, batch_size=batch, shuffle=False, num_workers=workers)
    before = cpu_seconds()
    start = time.perf_counter()
    images = 0
    for x, _ in loader:
        images += x.shape[0]
    seconds = time.perf_counter() - start
    del loader  # its workers end, and their CPU time is counted
    cpu = cpu_seconds() - before
    print(json.dumps({
        "images": images,
        "seconds": seconds,
        "imagesPerSecond": images / seconds,
        "workers": workers,
        "cpuMsPerImage": cpu * 1000 / images,
        "peakResidentBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "peakWorkerResidentBytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
