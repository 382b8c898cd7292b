"""Reading a file the terminal is given: a regular file, bounded, decoded, before any parsing.

Every file the terminal reads (the config, a tariff sheet, an invoice format, the card
secret, the receipt key, the STS vending key) goes through :func:`read_text_file`:

- it is opened without blocking and refused unless it is a regular file (a FIFO, a
  device such as ``/dev/zero``, a directory: ``FILE_REFUSED``, nothing read);
- it is refused when larger than its limit (1 MiB for documents, 4 KiB for keys),
  before a byte is parsed;
- a ``private`` file (a key or secret) must belong to this user and be readable by it
  alone (``chmod 600``);
- its bytes must decode in the expected encoding.

A refusal is :class:`FileRefused` (``FILE_REFUSED``, exit 2) naming the file and the
setting or argument it came from; a caller with its own code (``CONFIG_INVALID``,
``DEVICE_NOT_CONFIGURED``, ``INVALID_ARGUMENT``) passes its error class. :func:`parse_toml`
parses bounded TOML text, refusing nesting too deep for the parser instead of failing
with ``RecursionError``.
"""
from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from terminal import logs
from terminal.domain.errors import PpmsError

MAX_DOCUMENT_BYTES = 1 << 20      # a tariff sheet, a config, an invoice format
MAX_KEY_BYTES = 4096              # a key or secret: one hex line


class FileRefused(PpmsError):
    code = "FILE_REFUSED"


def read_text_file(path: str | os.PathLike[str], *, what: str, key: str, limit: int = MAX_DOCUMENT_BYTES,
                   encoding: str = "utf-8", private: bool = False,
                   error: type[PpmsError] = FileRefused) -> str:
    """The text of a regular file of at most `limit` bytes, or `error` (FileRefused unless
    the caller keeps its own code) naming `key`."""
    p = Path(path)

    def refuse(why: str) -> PpmsError:
        return error(f"{what} {p} {why}", key=key, path=str(p))

    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise refuse("does not exist") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise refuse(f"cannot be opened ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("is not a regular file")
        if info.st_size > limit:
            raise refuse(f"is larger than {limit} bytes")
        if private and (info.st_mode & 0o077 or info.st_uid != os.geteuid()):
            raise refuse("must belong to this service user and be readable by it alone (chmod 600)")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise refuse(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise refuse(f"is larger than {limit} bytes")
    try:
        text = b"".join(chunks).decode(encoding)
    except UnicodeDecodeError as exc:
        raise refuse(f"is not {encoding} text (byte {exc.start})") from None
    if private:                       # a key, a secret or a password: never in a log line
        for line in text.splitlines():
            logs.secret(line)
    return text


def check_database_file(path: str | os.PathLike[str], key: str = "database.path") -> None:
    """A ledger path is a regular file or not there yet (then its folder is a folder):
    a directory, ``/dev/null`` or a FIFO is refused before SQLite is given it."""
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        if p.parent.exists() and not p.parent.is_dir():
            raise FileRefused(f"the database's folder {p.parent} is not a folder", key=key, path=str(p)) from None
        return
    except (OSError, ValueError) as exc:
        raise FileRefused(f"the database {p} cannot be used ({exc})", key=key, path=str(p)) from None
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"the database {p} is not a regular file", key=key, path=str(p))


def parse_toml(text: str) -> dict[str, Any]:
    """tomllib.loads, with nesting too deep for the parser a TOMLDecodeError like any other fault."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("the document is nested too deeply") from None
