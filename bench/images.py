"""Image inspection cost: verify + draft-mode perceptual hash against a full decode of the same JPEG.

python -m bench.images [--width 4600 --height 3000 --repeats 9]
"""

from __future__ import annotations

import argparse
import io

from PIL import Image, ImageDraw

from bench.common import median_time
from mmrare.importers.benchmark.images import inspect_image


def sample_jpeg(width: int, height: int) -> bytes:
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for i in range(0, width, 200):
        draw.ellipse((i, i % height, i + 400, i % height + 400), fill=(i % 255, 80, 160))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def full_decode_then_reduce(data: bytes) -> None:
    """The straightforward way: decode every pixel, then reduce for hashing."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        img.convert("L").resize((32, 32))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=4600)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    data = sample_jpeg(args.width, args.height)
    ours = median_time(lambda: inspect_image(data), args.repeats)
    full = median_time(lambda: full_decode_then_reduce(data), args.repeats)
    print(f"{args.width}x{args.height} JPEG, {len(data):,} bytes (medians of {args.repeats})")
    print(f"  inspect_image (verify + draft-mode phash): {ours * 1000:8.1f} ms")
    print(f"  full decode + reduce (baseline):           {full * 1000:8.1f} ms")
    print(f"  baseline / ours:                           {full / ours:8.1f}x")


if __name__ == "__main__":
    main()
