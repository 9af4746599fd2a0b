"""Images we keep (a campaign's photo, members' photos): decoded by Pillow from their content, checked before the
pixels are decoded (a small file can claim a huge picture), and re-encoded as a JPEG that carries nothing but
the pixels (no EXIF, GPS, ICC profile or comment). Callers put the refusal in their own words.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}  # what Pillow says the bytes are → how we name it
QUALITY = 85


class ImageRefused(ValueError):
    """Why the bytes are not an image we keep. `why`: "unreadable" (not an image Pillow knows, or a decompression
    bomb), "format" (not JPEG, PNG or WebP), "pixels" (over the limit), "small" (a side under the minimum) or
    "damaged" (it failed while decoding); with the format and size when they were read."""

    def __init__(self, why: str, kind: str | None = None, width: int = 0, height: int = 0):
        super().__init__(why)
        self.why, self.kind, self.width, self.height = why, kind, width, height


def open_checked(raw: bytes, *, max_pixels: int, min_side: int = 0) -> Image.Image:
    """The decoded image, upright (its EXIF orientation applied); ImageRefused when it is not one we keep."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            kind, (width, height) = image.format, image.size
            if kind not in ACCEPTED:
                raise ImageRefused("format", kind)
            if width * height > max_pixels:
                raise ImageRefused("pixels", kind, width, height)
            if min(width, height) < min_side:
                raise ImageRefused("small", kind, width, height)
            image.load()
    except ImageRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("unreadable") from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRefused("damaged") from None
    return ImageOps.exif_transpose(image)


def to_jpeg(image: Image.Image, box: tuple[int, int]) -> tuple[bytes, int, int]:
    """The image within `box` as a JPEG of its pixels alone (transparency laid on white), and its size."""
    if image.mode not in ("RGB", "L"):
        flat = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    image.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, icc_profile= or comment=: the new file carries nothing but the pixels.
    image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue(), image.width, image.height
