"""Building the row kernels of ``enable=("compiled",)`` programs with the system C++ compiler.

The C++ side generates each pull kernel's row loop as C++ (``compiler/row_codegen.cpp``); this
module compiles it into a shared library (for this machine's CPU: ``-march=native``), caches it
by a hash of the source, the compiler, its flags and the CPU, and hands the library's path back
to be loaded. The compiler is ``$SG_CXX``, else
``$CXX``, else the first of ``c++``, ``g++``, ``clang++`` on ``PATH``. The cache directory is
``$SG_CACHE_DIR``, else ``$XDG_CACHE_HOME/stepgraph/row_kernels``, else
``~/.cache/stepgraph/row_kernels``. Each use of a library sets its modification time, so
``stepgraph cache prune --older-than DAYS`` removes the ones not used for that long.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

from stepgraph import _core
from stepgraph.errors import CompileError, ProgramError

__all__ = ["compiler", "cache_dir", "build", "attach"]

log = logging.getLogger(__name__)

_COMPILE_TIMEOUT_S = 300.0
_identity_cache: Dict[Tuple[str, ...], str] = {}


def compiler() -> List[str]:
    """The compiler command (a list: ``$SG_CXX`` / ``$CXX`` may carry arguments)."""
    for var in ("SG_CXX", "CXX"):
        value = os.environ.get(var, "").strip()
        if value:
            cmd = shlex.split(value)
            if shutil.which(cmd[0]) is None:
                raise CompileError(f"${var}={value!r}: {cmd[0]!r} is not an executable on PATH")
            return cmd
    for name in ("c++", "g++", "clang++"):
        path = shutil.which(name)
        if path:
            return [path]
    raise CompileError(
        'enable=("compiled",) needs a C++17 compiler: set $SG_CXX or $CXX, or put c++, g++ or clang++ on PATH'
    )


def cache_dir() -> Path:
    root = os.environ.get("SG_CACHE_DIR")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "stepgraph" / "row_kernels"


def _identity(cmd: List[str]) -> str:
    """The compiler's version line: a different compiler is a different cache entry."""
    key = tuple(cmd)
    if key not in _identity_cache:
        try:
            out = subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise CompileError(f"cannot run the C++ compiler {cmd[0]!r}: {e}") from None
        _identity_cache[key] = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else ""
    return _identity_cache[key]


def _cpu() -> str:
    """This machine's CPU model and feature flags: -march=native code is only for it."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.machine() + " " + platform.processor()
    keep = [
        line
        for line in info.splitlines()
        if line.split(":")[0].strip() in ("model name", "flags", "Features", "CPU part")
    ]
    return "\n".join(dict.fromkeys(keep))


def build(symbol: str, source: str) -> Path:
    """The shared library of one generated row kernel: from the cache, else compiled now."""
    cmd = compiler()
    flags = list(_core.row_kernel_flags())
    digest = hashlib.sha256("\0".join([source, *cmd, _identity(cmd), *flags, _cpu()]).encode()).hexdigest()[:24]
    out_dir = cache_dir()
    lib = out_dir / f"{symbol}-{digest}.so"
    try:
        os.utime(lib)  # a hit: its time is now "last used", what `stepgraph cache prune` goes by
        return lib
    except FileNotFoundError:
        pass
    except OSError:  # a read-only cache: the library is still usable
        if lib.exists():
            return lib
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CompileError(f"cannot create the row-kernel cache {out_dir}: {e} (set $SG_CACHE_DIR)") from None
    # Compile next to the target and rename: concurrent builders never see a partial library.
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        src = Path(tmp) / f"{symbol}.cpp"
        src.write_text(source)
        part = Path(tmp) / f"{symbol}.so"
        t0 = time.perf_counter()
        try:
            res = subprocess.run(
                cmd + flags + ["-o", str(part), str(src)], capture_output=True, text=True, timeout=_COMPILE_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise CompileError(f"compiling row kernel {symbol} took over {_COMPILE_TIMEOUT_S:.0f} s") from None
        except OSError as e:
            raise CompileError(f"cannot run the C++ compiler {cmd[0]!r}: {e}") from None
        if res.returncode != 0:
            keep = out_dir / f"{symbol}-{digest}.failed.cpp"
            shutil.copyfile(src, keep)
            tail = "\n".join((res.stderr or res.stdout).splitlines()[-30:])
            raise CompileError(
                f"the C++ compiler rejected row kernel {symbol} (a stepgraph bug; source kept at {keep}):\n{tail}"
            )
        os.replace(part, lib)
        log.info("compiled row kernel %s in %.2f s: %s", symbol, time.perf_counter() - t0, lib)
    return lib


def attach(core_program: Any) -> List[Tuple[int, Path]]:
    """Build and load every generated row kernel of a native program; (step, library) pairs."""
    done: List[Tuple[int, Path]] = []
    for step, symbol, source in core_program.row_kernels():
        lib = build(symbol, source)
        try:
            core_program.attach_row_kernel(step, str(lib))
        except ProgramError:
            if lib.exists():
                raise
            # Removed (`stepgraph cache prune` / `clear` in another process) between the cache
            # lookup and loading it: compile it again.
            lib = build(symbol, source)
            core_program.attach_row_kernel(step, str(lib))
        done.append((int(step), lib))
    return done
