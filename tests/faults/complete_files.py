#!/usr/bin/env python3
"""No file under DIR looks complete but is not (tests/faults/full_disk.sh).

  complete_files.py DIR [CLI]

Leftover temporaries (NAME.tmp.PID) are errors; .json files parse; .png files end with
their IEND chunk; .svg files end with </svg>; .csv/.jsonl/.txt files end with a newline;
.safetensors files hold the bytes their header promises; a run folder with a manifest is
accepted by `CLI render` (which checks the files against the manifest's hashes).
steps.log may end in a cut line (a resume drops it, docs: core/llm/torch/finetune.h).
"""
import json, os, struct, subprocess, sys, tempfile

def problems(path):
    name = os.path.basename(path)
    if ".tmp." in name:
        return "a temporary file was left behind"
    data = open(path, "rb").read()
    if name.endswith(".json"):
        try:
            json.loads(data.decode("utf-8"))
        except Exception as e:
            return "does not parse: %s" % e
    elif name.endswith(".png"):
        if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[-12:-8] != b"\0\0\0\0" or data[-8:-4] != b"IEND":
            return "not a whole PNG"
    elif name.endswith(".svg"):
        if not data.rstrip().endswith(b"</svg>"):
            return "not a whole SVG"
    elif name.endswith((".csv", ".jsonl", ".txt")) and name != "steps.log":
        if data and not data.endswith(b"\n"):
            return "ends without its last newline"
    elif name.endswith(".safetensors"):
        if len(data) < 8:
            return "shorter than its header length"
        n = struct.unpack("<Q", data[:8])[0]
        try:
            h = json.loads(data[8:8 + n].decode("utf-8"))
        except Exception as e:
            return "header does not parse: %s" % e
        end = max([v["data_offsets"][1] for k, v in h.items() if k != "__metadata__"] or [0])
        if len(data) != 8 + n + end:
            return "holds %d bytes, its header promises %d" % (len(data), 8 + n + end)
    return None

def main():
    root = sys.argv[1]
    cli = sys.argv[2] if len(sys.argv) > 2 else None
    bad = 0
    if not os.path.isdir(root):
        return 0
    for d, _, files in os.walk(root):
        for f in files:
            if f in ("filler", ".lock"):
                continue
            p = os.path.join(d, f)
            why = problems(p)
            if why:
                print("complete_files: %s: %s" % (p, why))
                bad += 1
        if cli and "manifest.json" in files:
            with tempfile.TemporaryDirectory() as t:
                r = subprocess.run([cli, "render", d, "--png", t + "/x.png", "--svg", t + "/x.svg"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    print("complete_files: %s: has a manifest but render refuses it: %s" % (d, r.stderr.strip()))
                    bad += 1
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
