"""Describe the local machine for the device entry: CPU, cores, memory, OS, Python.

GPU facts come from the backend (it knows its accelerator); this module covers
the host and never imports a framework.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None


def cpu_model() -> str:
    """The CPU's marketing name (x86 'model name'; on ARM boards the device-tree model, e.g. 'NVIDIA Jetson Orin')."""
    info = _read("/proc/cpuinfo") or ""
    for key in ("model name", "Model", "Hardware", "cpu model", "Processor"):
        m = re.search(rf"^{key}\s*:\s*(.+)$", info, re.MULTILINE)
        if m and m.group(1).strip():
            return m.group(1).strip()
    board = _read("/proc/device-tree/model")
    if board:
        return board.strip("\x00 \n")
    if platform.system() == "Darwin" and shutil.which("sysctl"):
        try:
            out = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=5)
            if out.stdout.strip():
                return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown CPU"


def board_model() -> str | None:
    """The board name on ARM single-board computers (Jetson, Raspberry Pi), from the device tree."""
    text = _read("/proc/device-tree/model")
    return text.strip("\x00 \n") if text else None


def cpu_cores() -> dict[str, int | None]:
    """Logical CPUs, physical cores (when /proc/cpuinfo tells) and the CPUs this process may use."""
    logical = os.cpu_count()
    physical = None
    info = _read("/proc/cpuinfo")
    if info:
        pairs = set(re.findall(r"physical id\s*:\s*(\d+).*?core id\s*:\s*(\d+)", info, re.DOTALL))
        physical = len(pairs) or None
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = logical
    return {"logical": logical, "physical": physical, "usable": usable}


def ram_gb() -> float | None:
    """Total system memory in GB (2^30 bytes)."""
    info = _read("/proc/meminfo")
    if info:
        m = re.search(r"^MemTotal:\s*(\d+)\s*kB", info, re.MULTILINE)
        if m:
            return round(int(m.group(1)) / 2**20, 2)
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 2)
    except (ValueError, OSError, AttributeError):
        return None


def os_name() -> str:
    name = platform.platform(terse=False)
    release = _read("/etc/os-release")
    if release:
        m = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', release, re.MULTILINE)
        if m:
            name = f"{m.group(1)} ({platform.system()} {platform.release()}, {platform.machine()})"
    return name


def nvidia_driver() -> str | None:
    """The NVIDIA driver version from nvidia-smi, when installed."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.stdout.strip().splitlines()
    return first[0].strip() if out.returncode == 0 and first else None


def host() -> dict[str, Any]:
    cores = cpu_cores()
    return {
        "cpu": cpu_model(),
        "board": board_model(),
        "cores_logical": cores["logical"],
        "cores_physical": cores["physical"],
        "cores_usable": cores["usable"],
        "ram_gb": ram_gb(),
        "os": os_name(),
        "python": platform.python_version(),
    }
