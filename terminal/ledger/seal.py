"""The ledger's seal: a keyed chain over every row, so that a change made without the
terminal's key is found.

Every table's AFTER INSERT/UPDATE/DELETE triggers (migration 14, `seal_schema.py`)
append a row to `seal`: the table, the row's key, a digest of the row as stored
(`"deleted"` when it is gone) and

    digest = SHA-256 of the row's values (JSON, types kept), its first 16 bytes
    mac    = HMAC-SHA256(key, previous seal's mac | table | row key | digest), its first 16 bytes

both stored as 16-byte BLOBs (the compact form of migration 27; the first form, up to
migration 26, stored both whole as 64 hex characters and is converted by that migration,
`seal_form.py`). 128 bits of either is out of reach of a search (NIST SP 800-107).

The triggers call SQL functions that only a connection opened by the terminal has
(`attach` registers them, the key held by the connection, never by the module), so a
writer with the file but not the key cannot run them: it must drop the triggers, and
then its rows are unsealed or differ from their latest seal (`seal_check.py`).

Rows cut from the end, with their seals, leave a chain that still verifies; the head
file beside the database (`<database>.head`, 0600) holds the last (seq, mac) this
terminal committed, signed with the key. It is written after each commit and only
moves forward along the chain: it may lag the chain (a kill between the commit and
the write), never run ahead of it or off it. The key file (`<database>.key` unless
`[database] seal_key_file` says otherwise) is made, 0600, when a ledger is first
sealed; it is never logged and never stored in the database.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from terminal import logs
from terminal.ledger.errors import LedgerUnsound, SealKeyMissing
from terminal.ledger.private_files import create_private, write_slot

log = logging.getLogger(__name__)

GENESIS = "0" * 64
GENESIS_MAC = bytes(16)   # the compact form's mac before the first seal
TOMBSTONE = "deleted"
SEALED_SINCE = 14         # the migration that seals the ledger
COMPACT_SINCE = 27        # the migration that stores the seal in its compact form
HEX, COMPACT = 1, 2       # the seal's forms: 64 hex characters (migrations 14-26), 16-byte BLOBs
CUT = 16                  # bytes kept of a digest and a mac
MIN_KEY_BYTES = 16
SLOT = 256                # the head file: two fixed-length signed records
DIGEST, MAC, CHAIN = "ppms_seal_digest", "ppms_seal_mac", "ppms_seal_chain"



class LedgerDatabase(Protocol):
    """What the seal needs of peewee's SqliteDatabase."""

    def execute_sql(self, sql: str, params: Sequence[object] | None = None) -> Any: ...
    def top_transaction(self) -> Any: ...
    def after_commit(self, fn: Callable[[], None]) -> Any: ...
    def register_function(self, fn: Callable[..., Any], name: str, num_params: int, deterministic: bool) -> Any: ...
    def register_window_function(self, klass: Callable[[], Any], name: str, num_params: int) -> Any: ...


_sealers: weakref.WeakKeyDictionary[LedgerDatabase, Sealer] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Head:
    """A point on the chain: the last seal's sequence number and mac (seq 0: the genesis)."""
    seq: int
    mac: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "mac": self.mac[:16]}


# ---------------------------------------------------------------- the chain's arithmetic
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _row_bytes(values: tuple[Any, ...]) -> bytes:
    """A row's values in column order as JSON (types kept: 5 and "5" differ; bytes as hex)."""
    items = [{"b": v.hex()} if isinstance(v, bytes) else v for v in values]
    return _encode(items).encode("utf-8")


def digest(*values: Any) -> bytes:
    """The compact seal's digest of a row: the first 16 bytes of SHA-256 of its values."""
    return hashlib.sha256(_row_bytes(values)).digest()[:CUT]


def _field(value: Any) -> bytes:
    if value is None:
        return b"n"
    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return (b"b" if isinstance(value, bytes) else b"s") + len(data).to_bytes(4, "big") + data


def link(key: bytes, prev: bytes | str | None, table: str, row_key: str, row_digest: bytes | str) -> bytes:
    """The compact seal's mac: HMAC-SHA256 over the previous mac and the seal's fields, each
    with its type and length (so no two different seals give the same message), cut to 16 bytes."""
    return hmac.new(key, link_message(prev, table, row_key, row_digest), hashlib.sha256).digest()[:CUT]


def link_message(prev: bytes | str | None, table: str, row_key: str, row_digest: bytes | str) -> bytes:
    """What the compact mac is the HMAC of (the bulk writer feeds it to one HMAC state)."""
    start = GENESIS_MAC if prev is None or prev == GENESIS else prev
    return b"".join((_field(start), _field(table), _field(row_key), _field(row_digest)))


def digest_hex(*values: Any) -> str:
    """The first form's digest (migrations 14-26): SHA-256 of the same JSON, in hex."""
    return hashlib.sha256(_row_bytes(values)).hexdigest()


def link_hex(key: bytes, prev: str | None, table: str, row_key: str, row_digest: str) -> str:
    """The first form's mac, in hex."""
    text = json.dumps([prev or GENESIS, table, row_key, row_digest], separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def mac_text(mac: Any) -> str:
    """A stored mac as the head file and `check` show it: hex (a compact one is bytes)."""
    return mac.hex() if isinstance(mac, bytes) else str(mac)


def head_signature(key: bytes, head: Head) -> str:
    return hmac.new(key, json.dumps(["head", head.seq, head.mac]).encode("ascii"), hashlib.sha256).hexdigest()


class _Chain:
    """The window function that seals existing rows in one statement: each row's mac
    chains on the row before it, starting from the chain's end given with the first row."""

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer
        self.mac: bytes | str | None = None

    def step(self, prev: Any, table: str, row_key: str, row_digest: Any) -> None:
        self.mac = self.sealer.link(prev if self.mac is None else self.mac, table, row_key, row_digest)

    def value(self) -> Any:
        return self.mac

    def inverse(self, *_: Any) -> None:  # pragma: no cover - the frame never shrinks
        raise NotImplementedError("the seal chain runs over ROWS UNBOUNDED PRECEDING")

    finalize = value


# ---------------------------------------------------------------- key and head files
def key_file_for(db_path: Path) -> Path:
    return Path(f"{db_path}.key")


def head_file_for(db_path: Path) -> Path:
    return Path(f"{db_path}.head")


def read_key(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, UnicodeDecodeError, ValueError):
        raise SealKeyMissing(f"the ledger's seal key {path} is missing or not hex; it was made when the "
                             "ledger was sealed and must stay beside it", path=str(path)) from None
    logs.secret(key)
    if len(key) < MIN_KEY_BYTES:
        raise SealKeyMissing(f"the seal key in {path} is shorter than {MIN_KEY_BYTES} bytes", path=str(path))
    return key


def _slot(data: bytes, key: bytes) -> Head | None:
    try:
        record = json.loads(data.rstrip(b" \n\x00").decode("ascii"))
        head = Head(int(record["seq"]), str(record["mac"]))
        good = hmac.compare_digest(str(record["sig"]), head_signature(key, head))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return head if good else None


def _slots(path: Path, key: bytes) -> list[Head | None]:
    try:
        data = path.read_bytes()
    except OSError:
        return [None, None]
    return [_slot(data[i * SLOT:(i + 1) * SLOT], key) for i in range(2)]


def read_head(path: Path, key: bytes) -> Head | None:
    """The head file's point (the later of its two signed slots), or None when it is
    missing, unreadable or not signed with the key."""
    heads = [h for h in _slots(path, key) if h is not None]
    return max(heads, key=lambda h: h.seq) if heads else None


def read_heads(path: Path, key: bytes) -> list[Head]:
    """The head file's signed points, the latest first."""
    return sorted((h for h in _slots(path, key) if h is not None), key=lambda h: -h.seq)


def write_head(path: Path, key: bytes, head: Head) -> None:
    """Overwrite the head file's older slot in place (fixed length: no rename, no truncation,
    no fsync on the selling path); a torn or lost write leaves the other slot, which lags.
    Of two slots at one point, the one whose mac is of another form than `head`'s goes."""
    slots = _slots(path, key)
    older = 0 if slots[0] is None else 1 if slots[1] is None else min(
        (0, 1), key=lambda i: (slots[i].seq, len(slots[i].mac) == len(head.mac)))  # type: ignore[union-attr]
    record = json.dumps({"seq": head.seq, "mac": head.mac, "sig": head_signature(key, head)}).encode("ascii")
    write_slot(path, older * SLOT, record.ljust(SLOT - 1) + b"\n")


# ---------------------------------------------------------------- a ledger's sealer
class Sealer:
    """The seal of one open ledger: its key, its head file and the SQL functions."""

    def __init__(self, db: LedgerDatabase, key: bytes, head_path: Path) -> None:
        self.db, self.key, self.head_path = db, key, head_path
        self.form = COMPACT      # HEX until migration 27 (`db.connect` sets it from the migrations had)
        self._local = threading.local()
        db.register_function(self.digest, DIGEST, -1, deterministic=True)
        db.register_function(self.link, MAC, 4, deterministic=True)
        db.register_window_function(lambda: _Chain(self), CHAIN, 4)

    def digest(self, *values: Any) -> bytes | str:
        return digest(*values) if self.form == COMPACT else digest_hex(*values)

    def link(self, prev: Any, table: str, row_key: str, row_digest: Any) -> bytes | str:
        txn = self.db.top_transaction()
        if txn is not None and getattr(self._local, "txn", None) is not txn:
            self._local.txn = txn          # once per transaction: move the head after its commit
            try:
                self.db.after_commit(self.advance_head)
            except ValueError:             # a manual-commit block: the head catches up later
                pass
        elif txn is None:
            self._local.dirty = True       # a unit of work: `committed` moves the head
        if self.form == COMPACT:
            return link(self.key, prev, table, row_key, row_digest)
        return link_hex(self.key, prev, table, row_key, row_digest)

    def begin(self) -> None:
        """A unit of work began (BEGIN IMMEDIATE): nothing sealed in it yet."""
        self._local.dirty = False

    def committed(self) -> None:
        """A unit of work committed: move the head file when it sealed anything."""
        if getattr(self._local, "dirty", False):
            self._local.dirty = False
            self.advance_head()

    def advance_head(self) -> None:
        """Move the head file to the chain's committed end, if the head it holds is on the chain."""
        old = self.head()
        if old is None:
            log.warning("seal head %s is missing or invalid; left for `ppms check`", self.head_path)
            return
        row = self.db.execute_sql("SELECT seq, mac, (SELECT mac FROM seal WHERE seq = ?) FROM seal "
                                  "ORDER BY seq DESC LIMIT 1", (old.seq,)).fetchone()   # one read: end and old
        if row is None:
            return
        end = Head(int(row[0]), mac_text(row[1]))
        if old.seq >= end.seq or (old.seq and (row[2] is None or mac_text(row[2]) != old.mac)):
            return
        try:
            write_head(self.head_path, self.key, end)
        except OSError as exc:
            log.warning("cannot write the seal head %s: %s", self.head_path, exc)

    def mac_at(self, seq: int) -> str | None:
        row = self.db.execute_sql("SELECT mac FROM seal WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else mac_text(row[0])

    def head(self) -> Head | None:
        """The head file's latest point; of two at the same point, the one on the chain (the
        compaction of migration 27 writes the converted point beside the old one)."""
        heads = read_heads(self.head_path, self.key)
        if len(heads) == 2 and heads[0].seq == heads[1].seq and heads[0].seq:
            return next((h for h in heads if self.mac_at(h.seq) == h.mac), heads[0])
        return heads[0] if heads else None


def chain_head(db: LedgerDatabase) -> Head:
    """The chain's end as committed: what `check` reports and a sync batch carries."""
    row = db.execute_sql("SELECT seq, mac FROM seal ORDER BY seq DESC LIMIT 1").fetchone()
    return Head(0, GENESIS) if row is None else Head(int(row[0]), mac_text(row[1]))


def sealer_of(db: LedgerDatabase) -> Sealer:
    return _sealers[db]


def attach(db: LedgerDatabase, db_path: Path, key_file: Path | None = None) -> Sealer:
    """Give `db`'s connections the seal's functions (before migrating it).

    A ledger not sealed yet (new, or made before migration 14) gets its key file when it
    has none and a genesis head; a sealed ledger must have its key. A ledger that claims
    to be unsealed while the head file shows it was sealed (its seal dropped and its
    version set back) is refused: migrating would seal the rows as they are now."""
    key_path = key_file or key_file_for(db_path)
    head_path = head_file_for(db_path)
    version = int(db.execute_sql("PRAGMA user_version").fetchone()[0])
    if version < SEALED_SINCE and not key_path.exists():
        create_private(key_path, secrets.token_hex(32) + "\n")
    sealer = Sealer(db, read_key(key_path), head_path)
    if version < SEALED_SINCE:
        old = sealer.head()
        if old is not None and old.seq > 0:
            raise LedgerUnsound(f"the ledger has lost its seal: schema version {version}, but its head file "
                                f"{head_path} shows it sealed up to seal {old.seq}",
                                reason="SEAL_REMOVED", head=old.as_dict())
        write_head(head_path, sealer.key, Head(0, GENESIS))
    _sealers[db] = sealer
    return sealer
