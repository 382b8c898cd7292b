"""The invoice format: the utility's stored setting that drives every receipt.

Kept as TOML (``config/receipts/*.toml``) or JSON (in the ledger's settings); both hold
the same table::

    utility_name = "Kisumu Power & Light"
    header_lines = ["PO Box 123, Kisumu", "VAT no P051234567X"]
    logo = ""                          # path to a PNG/BMP; empty for none
    fields = ["receipt_no", "issued_at", ...]   # which fields, in what order
    footer_lines = ["Thank you"]
    language = "en"                    # en, fr, sw
    paper_width_mm = 80                # 80 or 58
    [labels]                           # optional overrides of the fixed words
    receipt_no = "Invoice no"

``validate`` refuses a bad format whole, with a stable code and the key at fault.
"""
from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import InvoiceFormatError
from .labels import LABEL_KEYS, LANGUAGES

#: Every field a receipt can show, in the default order.
FIELDS: tuple[str, ...] = (
    "receipt_no",
    "issued_at",
    "terminal",
    "operator",
    "customer",
    "meter",
    "power_type",
    "tariff_version",
    "payment",
    "extra",
    "lines",
    "tendered",
    "energy",
    "token",
    "qr",
)
#: Fields an auditor and the customer cannot do without; a format must list them.
REQUIRED_FIELDS: tuple[str, ...] = ("receipt_no", "issued_at", "lines", "token")
PAPER_WIDTHS: tuple[int, ...] = (58, 80)
MAX_TEXT_LINES = 8
MAX_LINE_CHARS = 96
MAX_NAME_CHARS = 64

_KEYS = ("utility_name", "header_lines", "logo", "fields", "footer_lines", "language",
         "paper_width_mm", "labels")


@dataclass(frozen=True)
class InvoiceFormat:
    utility_name: str
    header_lines: tuple[str, ...] = ()
    logo: str = ""
    fields: tuple[str, ...] = FIELDS
    footer_lines: tuple[str, ...] = ()
    language: str = "en"
    paper_width_mm: int = 80
    labels: Mapping[str, str] = field(default_factory=dict)

    # -- validation -----------------------------------------------------------------
    def validate(self, *, check_files: bool = True) -> InvoiceFormat:
        """Return self when sound, else raise :class:`InvoiceFormatError`."""
        name = self.utility_name.strip()
        if not name or len(name) > MAX_NAME_CHARS:
            raise InvoiceFormatError(
                f"The utility name must have 1 to {MAX_NAME_CHARS} characters.",
                code="INVOICE_FORMAT_BAD_VALUE", key="utility_name")
        for key, lines in (("header_lines", self.header_lines), ("footer_lines", self.footer_lines)):
            if len(lines) > MAX_TEXT_LINES:
                raise InvoiceFormatError(
                    f"At most {MAX_TEXT_LINES} {key.replace('_', ' ')} are allowed.",
                    code="INVOICE_FORMAT_TOO_MANY_LINES", key=key)
            for line in lines:
                if len(line) > MAX_LINE_CHARS:
                    raise InvoiceFormatError(
                        f"A line of {key.replace('_', ' ')} is longer than {MAX_LINE_CHARS} "
                        f"characters: {line[:20]!r}...",
                        code="INVOICE_FORMAT_LINE_TOO_LONG", key=key)
        seen: set[str] = set()
        for name_ in self.fields:
            if name_ not in FIELDS:
                raise InvoiceFormatError(
                    f"Unknown receipt field {name_!r}; known fields: {', '.join(FIELDS)}.",
                    code="INVOICE_FORMAT_UNKNOWN_FIELD", key="fields")
            if name_ in seen:
                raise InvoiceFormatError(f"The field {name_!r} is listed twice.",
                                         code="INVOICE_FORMAT_DUPLICATE_FIELD", key="fields")
            seen.add(name_)
        missing = [f for f in REQUIRED_FIELDS if f not in seen]
        if missing:
            raise InvoiceFormatError(
                f"A receipt must show {', '.join(missing)}.",
                code="INVOICE_FORMAT_MISSING_FIELD", key="fields")
        if self.language not in LANGUAGES:
            raise InvoiceFormatError(
                f"Language {self.language!r} is not offered; choose one of {', '.join(LANGUAGES)}.",
                code="INVOICE_FORMAT_BAD_LANGUAGE", key="language")
        if self.paper_width_mm not in PAPER_WIDTHS:
            raise InvoiceFormatError(
                f"Paper width must be 58 or 80 mm, not {self.paper_width_mm}.",
                code="INVOICE_FORMAT_BAD_PAPER_WIDTH", key="paper_width_mm")
        for key, text in self.labels.items():
            if key not in LABEL_KEYS:
                raise InvoiceFormatError(f"Unknown label {key!r}.",
                                         code="INVOICE_FORMAT_UNKNOWN_LABEL", key=f"labels.{key}")
            if not isinstance(text, str) or len(text) > MAX_LINE_CHARS:
                raise InvoiceFormatError(f"The label {key!r} must be text of at most "
                                         f"{MAX_LINE_CHARS} characters.",
                                         code="INVOICE_FORMAT_BAD_VALUE", key=f"labels.{key}")
        if self.logo and check_files:
            _check_logo(self.logo)
        return self

    # -- conversion -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, check_files: bool = True) -> InvoiceFormat:
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise InvoiceFormatError(f"Unknown invoice format setting {unknown[0]!r}.",
                                     code="INVOICE_FORMAT_UNKNOWN_KEY", key=unknown[0])
        if "utility_name" not in data:
            raise InvoiceFormatError("The invoice format needs a utility name.",
                                     code="INVOICE_FORMAT_BAD_VALUE", key="utility_name")
        kwargs: dict[str, Any] = {"utility_name": _text(data, "utility_name")}
        for key in ("header_lines", "fields", "footer_lines"):
            if key in data:
                kwargs[key] = _text_list(data, key)
        for key in ("logo", "language"):
            if key in data:
                kwargs[key] = _text(data, key)
        if "paper_width_mm" in data:
            width = data["paper_width_mm"]
            if isinstance(width, bool) or not isinstance(width, int):
                raise InvoiceFormatError("Paper width must be a whole number of mm (58 or 80).",
                                         code="INVOICE_FORMAT_BAD_PAPER_WIDTH",
                                         key="paper_width_mm")
            kwargs["paper_width_mm"] = width
        if "labels" in data:
            labels = data["labels"]
            if not isinstance(labels, Mapping):
                raise InvoiceFormatError("labels must be a table of label = text.",
                                         code="INVOICE_FORMAT_BAD_VALUE", key="labels")
            kwargs["labels"] = dict(labels)
        return cls(**kwargs).validate(check_files=check_files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "utility_name": self.utility_name,
            "header_lines": list(self.header_lines),
            "logo": self.logo,
            "fields": list(self.fields),
            "footer_lines": list(self.footer_lines),
            "language": self.language,
            "paper_width_mm": self.paper_width_mm,
            "labels": dict(self.labels),
        }

    def edit(self, key: str, value: str) -> InvoiceFormat:
        """One setting changed from text, as ``ppms`` or a setup screen gives it.

        List settings take lines separated by ``|`` (an empty value clears them);
        ``labels.<name>`` sets one label (an empty value drops the override).
        """
        if key.startswith("labels."):
            labels = dict(self.labels)
            name = key.removeprefix("labels.")
            if value:
                labels[name] = value
            else:
                labels.pop(name, None)
            return replace(self, labels=labels).validate()
        if key in ("header_lines", "fields", "footer_lines"):
            items = tuple(v.strip() if key == "fields" else v for v in value.split("|")) if value else ()
            return replace(self, **{key: items}).validate()  # type: ignore[arg-type]
        if key == "paper_width_mm":
            try:
                width = int(value.strip().removesuffix("mm"))
            except ValueError:
                raise InvoiceFormatError("Paper width must be 58 or 80.",
                                         code="INVOICE_FORMAT_BAD_PAPER_WIDTH", key=key) from None
            return replace(self, paper_width_mm=width).validate()
        if key in ("utility_name", "logo", "language"):
            return replace(self, **{key: value}).validate()  # type: ignore[arg-type]
        raise InvoiceFormatError(f"Unknown invoice format setting {key!r}.",
                                 code="INVOICE_FORMAT_UNKNOWN_KEY", key=key)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise InvoiceFormatError(f"{key} must be text.", code="INVOICE_FORMAT_BAD_VALUE", key=key)
    return value


def _text_list(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data[key]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvoiceFormatError(f"{key} must be a list of text lines.",
                                 code="INVOICE_FORMAT_BAD_VALUE", key=key)
    return tuple(value)


def _check_logo(path: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.verify()
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise InvoiceFormatError(f"The logo {path!r} cannot be read as an image ({exc}).",
                                 code="INVOICE_FORMAT_LOGO_UNREADABLE", key="logo") from None


# -- files and text -----------------------------------------------------------------
def loads_invoice_format(text: str, fmt: str = "toml", *, check_files: bool = True) -> InvoiceFormat:
    """Parse a format from TOML or JSON text."""
    try:
        data = tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InvoiceFormatError(f"The invoice format cannot be read: {exc}",
                                 code="INVOICE_FORMAT_UNREADABLE") from None
    if not isinstance(data, dict):
        raise InvoiceFormatError("The invoice format must be a table of settings.",
                                 code="INVOICE_FORMAT_UNREADABLE")
    return InvoiceFormat.from_dict(data, check_files=check_files)


def dumps_invoice_format(fmt: InvoiceFormat, kind: str = "toml") -> str:
    if kind == "json":
        return json.dumps(fmt.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    import tomli_w

    return tomli_w.dumps(fmt.to_dict())


def _kind_of(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "toml"


def load_invoice_format(path: str | Path, *, check_files: bool = True) -> InvoiceFormat:
    """Read a ``.toml`` or ``.json`` invoice format; a relative logo path is taken from
    the file's folder."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvoiceFormatError(f"The invoice format file {str(p)!r} cannot be read ({exc}).",
                                 code="INVOICE_FORMAT_UNREADABLE") from None
    fmt = loads_invoice_format(text, _kind_of(p), check_files=False)
    if fmt.logo and not Path(fmt.logo).is_absolute():
        fmt = replace(fmt, logo=str(p.parent / fmt.logo))
    return fmt.validate(check_files=check_files)


def save_invoice_format(fmt: InvoiceFormat, path: str | Path) -> None:
    p = Path(path)
    fmt.validate(check_files=False)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(dumps_invoice_format(fmt, _kind_of(p)), encoding="utf-8")
    tmp.replace(p)


__all__ = [
    "FIELDS",
    "PAPER_WIDTHS",
    "REQUIRED_FIELDS",
    "InvoiceFormat",
    "dumps_invoice_format",
    "load_invoice_format",
    "loads_invoice_format",
    "save_invoice_format",
]
