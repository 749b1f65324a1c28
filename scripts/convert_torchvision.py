#!/usr/bin/env python3
"""Converts a torchvision classifier's weights into an MLNetCnn weights file.

The file is TorchSharp's state-dict format (what `Module.save` writes and TorchSharp's exportsd.py produces),
so `module.load(path, strict: false)` reads it in plain TorchSharp too. Its tensors keep torchvision's names,
which are the names of MLNetCnn's networks, and one more entry, `__metadata__` (UTF-8 JSON in a uint8 tensor),
says which MLNetCnn architecture the weights fit, how many classes they score and how inputs must be normalised.

This script never downloads anything. Pretrained weights are read from torchvision's local cache
(`torch.hub.get_dir()/checkpoints`); on a machine with internet, fill it with

    python3 -c "import torchvision; torchvision.models.get_model('resnet50', weights='IMAGENET1K_V2')"

(or download the URL this script prints) and copy the file into the cache of the machine that converts.

Usage:
    convert_torchvision.py resnet50 resnet50.weights --weights IMAGENET1K_V2
    convert_torchvision.py googlenet googlenet.weights --state-dict my_finetuned_googlenet.pth

Needs PyTorch and torchvision (Debian: apt-get install python3-torchvision, then run with /usr/bin/python3).
"""

import argparse
import json
import os
import sys

import torch
import torchvision

FORMAT = "mlnetcnn-weights"
FORMAT_VERSION = 1
METADATA_ENTRY = "__metadata__"

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]

# torchvision's GoogLeNet with transform_input maps ImageNet-normalised inputs to (x - 0.5) / 0.5 on 0..1 pixels,
# the normalisation its TensorFlow-trained weights expect; the MLNetCnn network gets that normalisation directly.
TRANSFORM_INPUT_MEAN = [0.5, 0.5, 0.5]
TRANSFORM_INPUT_STD = [0.5, 0.5, 0.5]

# torchvision's model name -> the MLNetCnn architecture with the same structure, and its options.
TORCHVISION_RESNET = {"stride_on_3x3": 1}  # torchvision's "v1.5" bottleneck blocks
ARCHITECTURES = {
    "alexnet": ("alexnet-torchvision", {}),
    "googlenet": ("googlenet-torchvision", {}),
    "resnet18": ("resnet18", {}),
    "resnet34": ("resnet34", {}),
    "resnet50": ("resnet50", TORCHVISION_RESNET),
    "resnet101": ("resnet101", TORCHVISION_RESNET),
    "resnet152": ("resnet152", TORCHVISION_RESNET),
    "vgg11": ("vgg11", {}),
    "vgg11_bn": ("vgg11-bn", {}),
    "vgg13": ("vgg13", {}),
    "vgg13_bn": ("vgg13-bn", {}),
    "vgg16": ("vgg16", {}),
    "vgg16_bn": ("vgg16-bn", {}),
    "vgg19": ("vgg19", {}),
    "vgg19_bn": ("vgg19-bn", {}),
}

# The layer whose output is the class scores, to read the class count of a state dict.
HEADS = {"alexnet": "classifier.6", "googlenet": "fc", "resnet": "fc", "vgg": "classifier.6"}

# TorchSharp's ScalarType codes.
SCALAR_TYPES = {
    torch.uint8: 0, torch.int8: 1, torch.int16: 2, torch.int32: 3, torch.int64: 4,
    torch.float16: 5, torch.float32: 6, torch.float64: 7, torch.bool: 11, torch.bfloat16: 15,
}


class ConversionError(Exception):
    """A problem with the model, weights or arguments, reported without a traceback."""


def build_model(name, num_classes, transform_input=True):
    """torchvision's `name` with default initialisation for `num_classes` classes; GoogLeNet keeps its auxiliary heads."""
    if name not in ARCHITECTURES:
        raise ConversionError(f"torchvision model '{name}' has no MLNetCnn counterpart; convertible: {', '.join(ARCHITECTURES)}.")
    extra = {"aux_logits": True, "transform_input": transform_input, "init_weights": False} if name == "googlenet" else {}
    return torchvision.models.get_model(name, weights=None, num_classes=num_classes, **extra)


def normalisation(name, transform_input, mean=None, std=None):
    """The per-channel mean and standard deviation, on 0..1 pixels, that a model fed inputs normalised with `mean` and `std` expects."""
    if name == "googlenet" and transform_input:
        return TRANSFORM_INPUT_MEAN, TRANSFORM_INPUT_STD
    return list(mean or IMAGENET_MEAN), list(std or IMAGENET_STD)


def cached_weights(name, weights_name):
    """The state dict and meta data of torchvision's pretrained weights `weights_name`, from the local cache only."""
    try:
        weights = torchvision.models.get_model_weights(name)[weights_name]
    except KeyError:
        known = ", ".join(torchvision.models.get_model_weights(name).__members__)
        raise ConversionError(f"torchvision has no weights '{weights_name}' for {name}; it has: {known}.") from None
    path = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(weights.url))
    if not os.path.isfile(path):
        raise ConversionError(
            f"{name} weights {weights_name} are not in the local cache: {path} does not exist, and this script never downloads.\n"
            f"On a machine with internet, run\n"
            f"    python3 -c \"import torchvision; torchvision.models.get_model('{name}', weights='{weights_name}')\"\n"
            f"which saves {os.path.basename(weights.url)} in that machine's torch hub checkpoints folder, and copy it to {path};\n"
            f"or download {weights.url} to {path}.")
    state_dict = torch.load(path, map_location="cpu")
    transforms = weights.transforms()
    return state_dict, len(weights.meta["categories"]), list(transforms.mean), list(transforms.std), f"torchvision {name} {weights_name} ({os.path.basename(weights.url)})"


def state_dict_file(path):
    """The state dict in a file written by torch.save, of a state dict or of a whole model."""
    if not os.path.isfile(path):
        raise ConversionError(f"State dict file {path} does not exist.")
    loaded = torch.load(path, map_location="cpu")
    if isinstance(loaded, torch.nn.Module):
        return loaded.state_dict()
    if isinstance(loaded, dict) and all(isinstance(v, torch.Tensor) for v in loaded.values()):
        return loaded
    raise ConversionError(f"{path} holds a {type(loaded).__name__}, neither a state dict nor a model.")


def class_count(name, state_dict):
    """The number of classes the head of a state dict scores."""
    head = next(layer for prefix, layer in HEADS.items() if name.startswith(prefix)) + ".weight"
    if head not in state_dict:
        raise ConversionError(f"The state dict has no '{head}', so it is not a torchvision {name}.")
    return state_dict[head].shape[0]


def load_into(model, name, state_dict):
    """Loads `state_dict` into `model`, naming anything missing or unexpected; GoogLeNet's auxiliary heads may be missing."""
    try:
        result = model.load_state_dict(state_dict, strict=False)
    except RuntimeError as error:
        raise ConversionError(f"The state dict does not fit torchvision's {name}: {error}") from None
    missing = [key for key in result.missing_keys if not (name == "googlenet" and key.startswith(("aux1.", "aux2.")))]
    if missing or result.unexpected_keys:
        raise ConversionError(f"The state dict does not fit torchvision's {name}: missing {missing or 'nothing'}, unexpected {result.unexpected_keys or 'nothing'}.")
    if len(missing) != len(result.missing_keys):
        print(f"note: the state dict has no auxiliary heads; they start untrained, as those of torchvision's pretrained GoogLeNet do.", file=sys.stderr)


def write_weights(model, name, path, mean, std, source):
    """Writes the model's state dict and the metadata for MLNetCnn to `path`, atomically."""
    state_dict = model.state_dict()
    head = class_count(name, state_dict)
    metadata = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "architecture": ARCHITECTURES[name][0],
        "options": ARCHITECTURES[name][1],
        "class_count": int(head),
        "mean": [float(m) for m in mean],
        "std": [float(s) for s in std],
        "source": source,
    }
    entries = [(METADATA_ENTRY, torch.tensor(list(json.dumps(metadata).encode("utf-8")), dtype=torch.uint8))]
    entries += list(state_dict.items())
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as stream:
            _write_leb128(stream, len(entries))
            for key, tensor in entries:
                _write_name(stream, key)
                _write_tensor(stream, key, tensor)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return metadata


def _write_leb128(stream, value):
    while True:
        byte = value & 0x7F
        value >>= 7
        stream.write(bytes([byte | (0x80 if value else 0)]))
        if not value:
            return


def _write_name(stream, name):
    encoded = name.encode("utf-8")
    _write_leb128(stream, len(encoded))
    stream.write(encoded)


def _write_tensor(stream, name, tensor):
    if tensor.dtype not in SCALAR_TYPES:
        raise ConversionError(f"Tensor '{name}' has type {tensor.dtype}, which TorchSharp's format cannot hold.")
    tensor = tensor.detach().cpu().contiguous()
    _write_leb128(stream, SCALAR_TYPES[tensor.dtype])
    _write_leb128(stream, tensor.dim())
    for size in tensor.shape:
        _write_leb128(stream, size)
    # Raw bytes in the machine's order (little-endian everywhere TorchSharp runs), as TorchSharp reads them.
    stream.write(tensor.reshape(-1).view(torch.uint8).numpy())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Convert a torchvision classifier's weights into an MLNetCnn weights file (never downloads).")
    parser.add_argument("model", help=f"torchvision model name: {', '.join(ARCHITECTURES)}")
    parser.add_argument("output", help="the weights file to write")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--weights", help="torchvision pretrained weights by name (e.g. IMAGENET1K_V1, DEFAULT), read from the local torch hub cache")
    source.add_argument("--state-dict", help="a file written by torch.save(model.state_dict()) (or of the whole model)")
    parser.add_argument("--no-transform-input", action="store_true",
                        help="GoogLeNet only: the weights take ImageNet-normalised inputs as they are (torchvision's pretrained GoogLeNet transforms them)")
    parser.add_argument("--mean", type=float, nargs=3, metavar=("R", "G", "B"), help="per-channel mean on 0..1 pixels (default: the weights' own, or ImageNet's)")
    parser.add_argument("--std", type=float, nargs=3, metavar=("R", "G", "B"), help="per-channel standard deviation on 0..1 pixels (default: the weights' own, or ImageNet's)")
    args = parser.parse_args(argv)

    try:
        if args.model not in ARCHITECTURES:
            raise ConversionError(f"torchvision model '{args.model}' has no MLNetCnn counterpart; convertible: {', '.join(ARCHITECTURES)}.")
        if args.weights:
            state_dict, classes, mean, std, description = cached_weights(args.model, args.weights)
        else:
            state_dict = state_dict_file(args.state_dict)
            classes, mean, std, description = class_count(args.model, state_dict), None, None, f"torchvision {args.model} ({os.path.basename(args.state_dict)})"
        transform_input = args.model == "googlenet" and not args.no_transform_input
        model = build_model(args.model, classes, transform_input)
        load_into(model, args.model, state_dict)
        mean, std = normalisation(args.model, transform_input, mean, std)
        mean, std = args.mean or mean, args.std or std
        metadata = write_weights(model, args.model, args.output, mean, std, description)
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    options = "".join(f" {key}={value}" for key, value in metadata["options"].items())
    print(f"Wrote {args.output}: {metadata['architecture']}{options} for {metadata['class_count']} classes, inputs normalised with mean {metadata['mean']} "
          f"and std {metadata['std']} on 0..1 pixels. Train from it with PretrainedWeights (CLI: --weights); the architecture comes from the file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
