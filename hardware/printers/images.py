"""The receipt's pictures, made once for both renderers: the QR code and the logo.

Both return a black-on-white ``L`` image holding only 0 and 255, one pixel per printer
dot (203 dpi), so the printer and the preview show the same dots.
"""
from __future__ import annotations

from PIL import Image

from .errors import InvoiceFormatError

LOGO_MAX_HEIGHT_DOTS = 160


def qr_image(payload: str, box_size: int, max_width: int) -> Image.Image:
    """The QR code of ``payload`` (error correction M, 2-module quiet zone), shrinking the
    module size until it fits ``max_width`` dots."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    box = box_size
    while True:
        code = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M,
                             box_size=box, border=2)
        code.add_data(payload)
        code.make(fit=True)
        matrix = code.get_matrix()  # includes the border
        size = len(matrix) * box
        if size <= max_width or box == 1:
            break
        box -= 1
    n = len(matrix)
    modules = Image.new("L", (n, n), 255)
    modules.putdata([0 if dark else 255 for row in matrix for dark in row])
    img = modules.resize((size, size), Image.Resampling.NEAREST)
    return img


def load_logo(path: str, max_width: int) -> Image.Image:
    """The logo scaled to fit ``max_width`` x ``LOGO_MAX_HEIGHT_DOTS`` and cut to pure
    black and white (threshold 50 %, no dithering)."""
    try:
        with Image.open(path) as src:
            src.load()
            rgba = src.convert("RGBA")
    except OSError as exc:
        raise InvoiceFormatError(f"The logo {path!r} cannot be read as an image ({exc}).",
                                 code="INVOICE_FORMAT_LOGO_UNREADABLE", key="logo") from None
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    grey = flat.convert("L")
    scale = min(1.0, max_width / grey.width, LOGO_MAX_HEIGHT_DOTS / grey.height)
    if scale < 1.0:
        size = (max(1, int(grey.width * scale)), max(1, int(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    return grey.point(lambda v: 255 if v >= 128 else 0)


__all__ = ["LOGO_MAX_HEIGHT_DOTS", "load_logo", "qr_image"]
