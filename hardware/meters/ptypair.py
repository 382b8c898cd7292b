"""A connected pty pair made by ``socat``, for tests and the demo.

    with PtyPair(tmpdir) as pair:
        simulator on pair.a, reader on pair.b

socat must be installed (Debian package ``socat``); when it is missing this raises
``FileNotFoundError`` rather than pretending.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Self


class PtyPair:
    def __init__(self, directory: str | os.PathLike[str], name: str = "tty",
                 timeout_s: float = 5.0) -> None:
        self.directory = Path(directory)
        self.a = str(self.directory / f"{name}-a")
        self.b = str(self.directory / f"{name}-b")
        self.timeout_s = timeout_s
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        socat = shutil.which("socat")
        if socat is None:
            raise FileNotFoundError("socat is not installed (apt-get install socat)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [socat, "-d", "-d", f"pty,raw,echo=0,link={self.a}",
             f"pty,raw,echo=0,link={self.b}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + self.timeout_s
        while not (os.path.exists(self.a) and os.path.exists(self.b)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                self.stop()
                raise RuntimeError(f"socat did not make the pty pair: {err}")
            time.sleep(0.01)
        time.sleep(0.05)  # links exist a moment before the transfer loop starts
        return self

    def stop(self) -> None:
        proc = self.process
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(3)
        if proc.stderr is not None:
            proc.stderr.close()
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
