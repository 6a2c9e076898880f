"""Benchmark images: decode one at a time, verify, measure, hash.

A cell's base64 image is rejected with a reason when it is not base64, not an image, truncated, a
decompression bomb, or of absurd size. Accepted images get their sha256 (the content address), size,
format, mode, a 64-bit perceptual hash (DCT of a 32x32 greyscale reduction, top-left 8x8 against
its median), a 64-bit gradient hash, both hashes again for the central 90%, and 16x16 grey copies of
the whole and of the centre for a pixel-level comparison. JPEGs are decoded in draft mode at a
fraction of full size first, which is what keeps hashing a 4,600-px photo cheap.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError


class ImageRejected(ValueError):
    """The bytes are not an image we accept; the message says why."""


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 64 * 1024 * 1024
    max_side: int = 20_000
    max_pixels: int = 120_000_000


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True)
class ImageInfo:
    sha256: str
    width: int
    height: int
    format: str
    mode: str
    byte_size: int
    phash: int  # 64 bits, DCT
    dhash: int = 0  # 64 bits, gradients: a second, independent hash family to confirm near-duplicates
    # the same two hashes of the central part (INNER_TRIM cut from each side): a copy with trimmed
    # borders matches the original's centre where whole-image hashes drift apart
    phash_inner: int = 0
    dhash_inner: int = 0
    # a 16x16 grey copy of the whole and of the centre: the pixel-level check that confirms a hash match
    grid: bytes = b""
    grid_inner: bytes = b""


def hex64(value: int) -> str:
    """A 64-bit hash as the 16 hex digits the graph stores."""
    return f"{value:016x}"


INNER_TRIM = 0.05
GRID_SIDE = 16


def pixel_grid(img: Image.Image) -> bytes:
    """The picture reduced to GRID_SIDE x GRID_SIDE grey pixels, one byte each, row by row."""
    return img.convert("L").resize((GRID_SIDE, GRID_SIDE), Image.Resampling.BILINEAR).tobytes()


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageRejected(f"invalid base64: {exc}") from exc


def inspect_image(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> ImageInfo:
    if not data:
        raise ImageRejected("empty image")
    if len(data) > limits.max_bytes:
        raise ImageRejected(f"{len(data):,} bytes is over the {limits.max_bytes:,}-byte limit")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height, fmt = probe.width, probe.height, probe.format or "unknown"
                _check_size(width, height, limits)
                probe.verify()  # structure and checksums, without decoding pixels
            with Image.open(io.BytesIO(data)) as img:
                mode = img.mode
                img.draft("L", (64, 64))  # JPEG: decode grey at 1/2..1/8 scale, once for all four hashes
                whole = img.convert("L")
            w, h = whole.size
            dx, dy = round(w * INNER_TRIM), round(h * INNER_TRIM)
            inner = whole.crop((dx, dy, w - dx, h - dy))
            phash, dhash = perceptual_hash(whole), difference_hash(whole)
            phash_inner, dhash_inner = perceptual_hash(inner), difference_hash(inner)
            grid, grid_inner = pixel_grid(whole), pixel_grid(inner)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"decompression bomb: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageRejected("not an image Pillow can read") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"broken or truncated image: {exc}") from exc
    sha = hashlib.sha256(data).hexdigest()
    return ImageInfo(sha, width, height, fmt, mode, len(data), phash, dhash, phash_inner, dhash_inner, grid, grid_inner)


def _check_size(width: int, height: int, limits: ImageLimits) -> None:
    if width <= 0 or height <= 0:
        raise ImageRejected(f"absurd size {width}x{height}")
    if max(width, height) > limits.max_side:
        raise ImageRejected(f"absurd size {width}x{height}: a side is over {limits.max_side:,} px")
    if width * height > limits.max_pixels:
        raise ImageRejected(f"decompression bomb: {width}x{height} is over {limits.max_pixels:,} pixels")


# the 8 lowest DCT-II frequencies over 32 samples, one row per frequency
_COS = np.array([[math.cos(math.pi * (2 * x + 1) * u / 64) for x in range(32)] for u in range(8)])


def perceptual_hash(img: Image.Image) -> int:
    """64-bit DCT hash; bit i set when DCT coefficient i of the 8x8 low band exceeds their median."""
    img.draft("L", (64, 64))  # JPEG only: decode at 1/2..1/8 scale; a no-op for other formats
    small = img.convert("L").resize((32, 32), Image.Resampling.BILINEAR)
    pixels = np.frombuffer(small.tobytes(), dtype=np.uint8).reshape(32, 32).astype(float)
    # separable 2-D DCT-II, only the 8 lowest frequencies in each direction: coefficient v * 8 + u
    coeffs = (_COS @ (pixels @ _COS.T)).ravel()
    # a flat image's coefficients are float noise (about 1e-13) whose signs depend on the order of the
    # sums: rounded, they are 0 and set no bit, whatever did the arithmetic
    coeffs = np.round(coeffs, 6)
    median = np.sort(coeffs)[32]
    return sum(1 << i for i, c in enumerate(coeffs) if c > median)


def difference_hash(img: Image.Image) -> int:
    """64-bit gradient hash: on a 9x8 grey copy, bit set where a pixel is brighter than its right
    neighbour. It sees the image through gradients, not frequencies, so it errs apart from the DCT hash."""
    img.draft("L", (64, 64))
    small = img.convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    pixels = list(small.tobytes())
    bits = [pixels[r * 9 + c] > pixels[r * 9 + c + 1] for r in range(8) for c in range(8)]
    return sum(1 << i for i, bit in enumerate(bits) if bit)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
