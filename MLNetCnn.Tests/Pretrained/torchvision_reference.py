"""Test fixture: torchvision models with seeded random weights, converted, and their logits on one random image.

Usage: torchvision_reference.py OUTPUT_FOLDER MODEL...

Writes pixels.bin (1x3x224x224 pixels from 0 to 255) and, for each torchvision MODEL, MODEL.weights (converted by
the command line of convert_torchvision.py, which sits next to this script) and MODEL.logits.bin (its logits for the
pixels, ImageNet-normalised as torchvision expects), the tensors in TorchSharp's format. For the models whose
torchvision forms end in adaptive pooling, pixels-160x192.bin and MODEL.logits-160x192.bin are the same at another size.
Some state dicts are also written as users have them: MODEL.pth (torch.save), MODEL.legacy.pth (torch.save's format
before PyTorch 1.6) and MODEL.safetensors (written here with struct and json: the format is that simple, and Debian has
no safetensors module); and files that must be refused: evil.pth (a pickle calling os.system), whole-model.pth (a
pickled model, not a state dict) and misshaped.pth. Nothing is downloaded.
"""

import json
import os
import struct
import sys

import torch
import torchvision

import convert_torchvision as convert

SEED = 20240611
IMAGE_SIDE = 224
OTHER_SIZE = (160, 192)
CLASSES = 1000

# Where each model is also saved as users have it, and at which other size its logits are wanted.
PYTORCH_FILES = {"resnet18": ["pth", "legacy.pth"], "googlenet": ["pth"], "resnet50": ["safetensors"], "alexnet": ["safetensors"]}
AT_OTHER_SIZE = ["vgg16_bn", "alexnet"]
SAFETENSORS_TYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}


def randomise(model, calibration):
    """
    Random weights, and batch-norm statistics measured on `calibration` images (as training would leave them), so that
    activations stay near unit scale through any depth and the logits are far apart compared to the test's tolerance.
    """
    batch_norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                torch.nn.init.normal_(module.bias, 0, 0.1)
    for norm in batch_norms:
        torch.nn.init.uniform_(norm.weight, 0.5, 1.5)
        torch.nn.init.normal_(norm.bias, 0, 0.1)
        norm.reset_running_stats()
        norm.momentum = None
    model.train()
    with torch.no_grad():
        model(calibration)
    for norm in batch_norms:
        norm.momentum = 0.1


def imagenet_normalised(pixels):
    return ((pixels / 255) - torch.tensor(convert.IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(convert.IMAGENET_STD).view(1, 3, 1, 1)


def write_tensor(tensor, path):
    with open(path, "wb") as stream:
        convert._write_tensor(stream, os.path.basename(path), tensor)


def write_safetensors(state_dict, path):
    """The safetensors format: the header's length (8 bytes, little-endian), a JSON header, then the tensors' raw bytes."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for key, tensor in state_dict.items():
        data = tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[key] = {"dtype": SAFETENSORS_TYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(encoded)))
        stream.write(encoded)
        for blob in blobs:
            stream.write(blob)


def save_as_users_have_it(name, model, folder):
    for kind in PYTORCH_FILES.get(name, []):
        path = os.path.join(folder, f"{name}.{kind}")
        if kind == "pth":
            torch.save(model.state_dict(), path)
        elif kind == "legacy.pth":
            torch.save(model.state_dict(), path, _use_new_zipfile_serialization=False)
        else:
            write_safetensors(model.state_dict(), path)


class Evil:
    """Pickles as a call of os.system, which a safe reader must refuse without running."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def save_files_to_refuse(folder):
    torch.save({"conv1.weight": torch.zeros(1), "payload": Evil(os.path.join(folder, "evil-ran"))}, os.path.join(folder, "evil.pth"))
    torch.manual_seed(SEED)
    small = torchvision.models.get_model("resnet18", weights=None, num_classes=10)
    torch.save(small, os.path.join(folder, "whole-model.pth"))
    state_dict = small.state_dict()
    state_dict["layer1.0.conv1.weight"] = torch.zeros(64, 64, 1, 1)
    torch.save(state_dict, os.path.join(folder, "misshaped.pth"))


def convert_like_a_user(name, model, folder):
    """
    Runs the converter's command line on the model's state dict: ResNet-18's as torchvision's cached pretrained weights
    (in a private torch hub folder, so the offline cache path is used), the others as a file saved with torch.save.
    """
    output = os.path.join(folder, f"{name}.weights")
    if name == "resnet18":
        os.environ["TORCH_HOME"] = os.path.join(folder, "torch-home")
        weights = torchvision.models.get_model_weights(name)["IMAGENET1K_V1"]
        cache = os.path.join(torch.hub.get_dir(), "checkpoints")
        os.makedirs(cache, exist_ok=True)
        torch.save(model.state_dict(), os.path.join(cache, os.path.basename(weights.url)))
        arguments = [name, output, "--weights", "IMAGENET1K_V1"]
    else:
        state_dict = os.path.join(folder, f"{name}.pth")
        torch.save(model.state_dict(), state_dict)
        arguments = [name, output, "--state-dict", state_dict]
    if convert.main(arguments) != 0:
        raise SystemExit(f"convert_torchvision.py {' '.join(arguments)} failed")
    if name != "resnet18":
        os.remove(state_dict)


def main(folder, models):
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    torch.manual_seed(SEED)
    pixels = torch.rand(1, 3, IMAGE_SIDE, IMAGE_SIDE) * 255
    write_tensor(pixels, os.path.join(folder, "pixels.bin"))
    calibration = imagenet_normalised(torch.rand(2, 3, IMAGE_SIDE // 2, IMAGE_SIDE // 2) * 255)
    imagenet = imagenet_normalised(pixels)
    other_pixels = torch.rand(1, 3, *OTHER_SIZE) * 255
    write_tensor(other_pixels, os.path.join(folder, f"pixels-{OTHER_SIZE[0]}x{OTHER_SIZE[1]}.bin"))
    for name in models:
        torch.manual_seed(SEED)
        # torchvision's pretrained GoogLeNet transforms its input, and so does the converter by default.
        model = convert.build_model(name, CLASSES, transform_input=True)
        randomise(model, calibration)
        model.eval()
        with torch.no_grad():
            logits = model(imagenet)
        write_tensor(logits, os.path.join(folder, f"{name}.logits.bin"))
        if name in AT_OTHER_SIZE:
            with torch.no_grad():
                write_tensor(model(imagenet_normalised(other_pixels)), os.path.join(folder, f"{name}.logits-{OTHER_SIZE[0]}x{OTHER_SIZE[1]}.bin"))
        convert_like_a_user(name, model, folder)
        save_as_users_have_it(name, model, folder)
    save_files_to_refuse(folder)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
