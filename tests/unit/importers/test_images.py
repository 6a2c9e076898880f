"""Image checks: every rejection kind with its reason, sizes and formats, the perceptual hash, blobs."""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from mmrare.core.blobs import FolderBlobStore
from mmrare.importers.benchmark.images import ImageRejected, decode_base64, hamming, hex64, inspect_image


def picture(kind: str, size: tuple[int, int] = (640, 480)) -> Image.Image:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    w, h = size
    if kind == "disc":
        draw.ellipse((w * 0.2, h * 0.2, w * 0.6, h * 0.8), fill=(30, 30, 30))
        draw.rectangle((w * 0.7, h * 0.1, w * 0.9, h * 0.4), fill=(200, 60, 60))
    else:
        for i in range(0, w, w // 8):
            draw.rectangle((i, 0, i + w // 16, h), fill=(0, 0, 120))
    return img


def encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with no pixel data: what a bomb looks like to open()."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_png_and_jpeg_are_measured() -> None:
    data = encode(picture("disc"), "PNG")
    info = inspect_image(data)
    assert (info.width, info.height, info.format, info.mode) == (640, 480, "PNG", "RGB")
    assert info.sha256 == hashlib.sha256(data).hexdigest() and info.byte_size == len(data)
    jpeg = inspect_image(encode(picture("stripes", (4600, 300)), "JPEG", quality=80))
    assert (jpeg.width, jpeg.height, jpeg.format) == (4600, 300, "JPEG")


def test_perceptual_hash_survives_reencoding_and_resizing() -> None:
    original = inspect_image(encode(picture("disc"), "PNG"))
    recoded = inspect_image(encode(picture("disc").resize((320, 240)), "JPEG", quality=60))
    other = inspect_image(encode(picture("stripes"), "PNG"))
    assert hamming(original.phash, recoded.phash) <= 4
    assert hamming(original.phash, other.phash) >= 16
    assert 0 <= original.phash < 2**64 and len(hex64(original.phash)) == 16


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty image"),
        (b"%PDF-1.4 not an image at all", "not an image Pillow can read"),
        (png_header_only(30_000, 30_000), "decompression bomb"),
        (png_header_only(25_000, 10), "absurd size 25000x10"),
    ],
)
def test_rejections_name_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRejected, match=reason):
        inspect_image(data)


def test_truncated_jpeg_is_rejected() -> None:
    whole = encode(picture("disc"), "JPEG", quality=90)
    with pytest.raises(ImageRejected, match="broken or truncated"):
        inspect_image(whole[: len(whole) // 2])


def test_byte_limit() -> None:
    from mmrare.importers.benchmark.images import ImageLimits

    with pytest.raises(ImageRejected, match="over the 100-byte limit"):
        inspect_image(encode(picture("disc"), "PNG"), ImageLimits(max_bytes=100))


def test_base64_cells() -> None:
    data = encode(picture("disc", (20, 20)), "PNG")
    text = base64.b64encode(data).decode()
    assert decode_base64(text[:10] + "\n" + text[10:]) == data  # line breaks inside a cell are fine
    with pytest.raises(ImageRejected, match="invalid base64"):
        decode_base64("not*base64!")


def test_blob_store_is_content_addressed(tmp_path: Path) -> None:
    blobs = FolderBlobStore(tmp_path)
    data = encode(picture("disc", (20, 20)), "PNG")
    sha = blobs.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert blobs.put(data) == sha  # identical bytes stored once
    assert blobs.get(sha) == data and blobs.has(sha)
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [f"{sha[:2]}/{sha}"]
    with pytest.raises(ValueError, match="not a sha256"):
        blobs.get("../../etc/passwd")


def test_perceptual_hash_of_steps_and_flat_images_worked_by_hand() -> None:
    from mmrare.importers.benchmark.images import perceptual_hash

    # a white left half: the mean (bit 0) and the odd horizontal frequencies that are positive on the
    # left, u = 1 and u = 5 (bits 1 and 5); every vertical frequency is 0, so the median is 0
    left = Image.new("L", (64, 64), 0)
    left.paste(255, (0, 0, 32, 64))
    assert perceptual_hash(left) == 1 + 2**1 + 2**5
    # a white top half: the same along v (bits 8 and 40)
    top = Image.new("L", (64, 64), 0)
    top.paste(255, (0, 0, 64, 32))
    assert perceptual_hash(top) == 1 + 2**8 + 2**40
    # a flat image has only its mean: its other coefficients are float noise, which sets no bit
    assert {perceptual_hash(Image.new("L", (40, 40), c)) for c in range(5, 256, 25)} == {1}
    assert perceptual_hash(Image.new("L", (40, 40), 0)) == 0
