#!/usr/bin/env python3
"""Writes COUNT colour JPEGs in an image-folder layout (one subfolder per class), made from Fashion-MNIST: each image
upscaled (bicubic) to SIZE x SIZE and tinted with a random garment colour on a random background colour. The same seed
and count give the same files. Used by the `scale` benchmark (MLNetCnn.Benchmarks/Scale) as a stand-in for a folder of
users' photos.

Usage: python3 scripts/make-photos224.py OUTPUT --count 3000 [--size 224] [--seed 1] [--source DIR] [--quality 90]

The source is Debian's full Fashion-MNIST (apt-get install dataset-fashion-mnist: 60,000 training images) when it is
installed, else the 6,000-image subset embedded in MLNetCnn; counts beyond the source's size reuse its images with other
colours. Needs numpy and PIL (Debian: python3-numpy, python3-pil).
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
from PIL import Image

CLASSES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["/usr/share/datasets/fashion-mnist", os.path.join(REPO, "MLNetCnn", "Data", "Embedded")]


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="folder to write (class subfolders are created in it)")
    parser.add_argument("--count", type=int, required=True, help="number of images")
    parser.add_argument("--size", type=int, default=224, help="width and height in pixels")
    parser.add_argument("--seed", type=int, default=1, help="seeds the choice of images and their colours")
    parser.add_argument("--source", help="folder with Fashion-MNIST's train-images/-labels IDX files")
    parser.add_argument("--quality", type=int, default=90, help="JPEG quality")
    args = parser.parse_args()
    if args.count < 1 or args.size < 28:
        parser.error("--count must be at least 1 and --size at least 28")

    sources = [args.source] if args.source else SOURCES
    source = next((s for s in sources if find(s, "train-images-idx3-ubyte") and find(s, "train-labels-idx1-ubyte")), None)
    if source is None:
        sys.exit(f"No Fashion-MNIST training files (train-images-idx3-ubyte[.gz]) in {', '.join(sources)}.")
    images = read_idx(find(source, "train-images-idx3-ubyte"))
    labels = read_idx(find(source, "train-labels-idx1-ubyte"))
    if len(images) != len(labels):
        sys.exit(f"{source}: {len(images)} images but {len(labels)} labels.")

    rng = np.random.RandomState(args.seed)
    rounds = -(-args.count // len(images))
    order = np.concatenate([rng.permutation(len(images)) for _ in range(rounds)])[:args.count]
    # Garment and background colours per image; the background is kept darker so the garment stays visible.
    foreground = rng.uniform(0.35, 1.0, size=(args.count, 3)).astype(np.float32)
    background = rng.uniform(0.0, 0.3, size=(args.count, 3)).astype(np.float32)

    for name in CLASSES:
        os.makedirs(os.path.join(args.output, name), exist_ok=True)
    for i, index in enumerate(order):
        grey = Image.fromarray(images[index]).resize((args.size, args.size), Image.BICUBIC)
        alpha = np.asarray(grey, dtype=np.float32)[:, :, None] / 255.0
        rgb = (background[i] * (1 - alpha) + foreground[i] * alpha) * 255.0
        path = os.path.join(args.output, CLASSES[labels[index]], f"{i:07d}.jpg")
        Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8), "RGB").save(path, quality=args.quality)
    print(f"Wrote {args.count} {args.size}x{args.size} JPEGs from {source} to {args.output}")


if __name__ == "__main__":
    main()
