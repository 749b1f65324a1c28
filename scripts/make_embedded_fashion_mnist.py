#!/usr/bin/env python3
"""Writes the class-balanced Fashion-MNIST subset embedded in MLNetCnn (MLNetCnn/Data/Embedded).

Source: Debian's dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist).
Takes the first N images of each class, in file order, so the subset is reproducible.
"""
import gzip, struct, sys, pathlib

SOURCE = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
TARGET = pathlib.Path(__file__).resolve().parent.parent / "MLNetCnn" / "Data" / "Embedded"
PER_CLASS = {"train": 600, "t10k": 100}

def read(prefix):
    with gzip.open(SOURCE / f"{prefix}-images-idx3-ubyte.gz") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        images = f.read()
    with gzip.open(SOURCE / f"{prefix}-labels-idx1-ubyte.gz") as f:
        f.read(8)
        labels = f.read()
    return images, labels, rows, cols

for prefix, per_class in PER_CLASS.items():
    images, labels, rows, cols = read(prefix)
    size = rows * cols
    taken, counts = [], [0] * 10
    for i, label in enumerate(labels):
        if counts[label] < per_class:
            counts[label] += 1
            taken.append(i)
    with gzip.GzipFile(TARGET / f"{prefix}-images-idx3-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 0x803, len(taken), rows, cols))
        for i in taken:
            f.write(images[i * size:(i + 1) * size])
    with gzip.GzipFile(TARGET / f"{prefix}-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">II", 0x801, len(taken)))
        f.write(bytes(labels[i] for i in taken))
    print(prefix, len(taken))
