"""Finishes a notebook that the .NET Interactive kernel has executed (scripts/run-notebooks.sh calls it).

Usage: /usr/bin/python3 scripts/notebook_outputs.py EXECUTED.ipynb DESTINATION.ipynb SECONDS

Fails (exit 1, naming the cells) when a cell shows an error, writes to stderr or shows a compiler or NuGet warning.
Otherwise writes DESTINATION with the outputs a reader needs and nothing that belongs to this machine: the kernel's
JavaScript bootstrap and the outputs of the cells that reference packages (local paths, versions of the local build)
are dropped. The notebook's metadata records the SHA-256 of its code cells' sources (joined by NUL characters) and the
run time, so a test can tell outputs that were made from other sources. Every cell gets an id (nbformat 4.5).
"""
import hashlib
import re
import sys
import uuid

import nbformat

KERNEL_BOOTSTRAP = "dotnet-interactive-this-cell"
REFERENCE_DIRECTIVE = re.compile(r"^\s*#(r|i|load)\s", re.MULTILINE)
WARNING = re.compile(r"\bwarning [A-Z]{2,}\d+")


def source_hash(notebook):
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return hashlib.sha256("\0".join(sources).encode("utf-8")).hexdigest()


def output_text(output):
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}"
    data = output.get("data", {})
    return "\n".join(str(data[mime]) for mime in ("text/plain", "text/html") if mime in data)


def finish(executed, destination, seconds):
    notebook = nbformat.read(executed, as_version=4)
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        if "id" not in cell:
            cell["id"] = uuid.uuid4().hex[:8]
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            text = output_text(output)
            if output.output_type == "error":
                problems.append(f"cell {number}: {text.strip()}")
            elif output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {number} wrote to stderr: {text.strip()}")
            elif WARNING.search(text):
                problems.append(f"cell {number} shows a warning: {WARNING.search(text).group(0)}: {text.strip()[:500]}")
            if KERNEL_BOOTSTRAP in text or REFERENCE_DIRECTIVE.search(cell.source):
                continue
            kept.append(output)
        cell.outputs = kept
    if problems:
        print(f"{executed}:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    notebook.metadata["mlnetcnn"] = {"sourceHash": source_hash(notebook), "runSeconds": round(seconds)}
    nbformat.validate(notebook)
    nbformat.write(notebook, destination)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(finish(sys.argv[1], sys.argv[2], float(sys.argv[3])))
