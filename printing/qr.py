"""QR codes as crisp 1-bit images (one pixel per module, quiet zone included)."""
from __future__ import annotations

from PIL import Image


def qr_modules(url: str) -> Image.Image:
    """The QR symbol for ``url``: mode "1", black modules, 4-module white border."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    img = Image.new("1", (n, n), 1)
    img.putdata([0 if cell else 1 for row in matrix for cell in row])
    return img


def qr_image(url: str, target_px: int, min_module_px: int = 3) -> Image.Image:
    """The QR symbol scaled by a whole number of pixels per module, about ``target_px`` wide."""
    img = qr_modules(url)
    scale = max(min_module_px, target_px // img.width)
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
