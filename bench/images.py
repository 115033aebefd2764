#!/usr/bin/env python
"""Image check benchmark: speed, memory and event-loop latency of ``bot.images``.

Usage:
    python bench/images.py [--runs 7]

Builds four realistic inputs in memory (12 MP and 48 MP phone JPEGs with EXIF orientation 6 and
GPS, a 300-dpi A4 colour scan as PNG, a PNG phone screenshot) and prints for each the median time
of ``check_and_normalise`` and of a straightforward pipeline measured in the same run (full decode
with ``Image.open().load()``, ``exif_transpose``, ``convert("RGB")``, ``resize`` to the same output
size, JPEG at quality 95 then 90, 85 … until under the byte maximum), the speed-up, and the peak
extra memory of one call of each. The straightforward pipeline runs no checks at all.

Memory: every figure comes from a fresh subprocess (this script with ``--child``) that loads the
input, resets the kernel's peak-RSS counter (writing 5 to /proc/self/clear_refs), makes one call
and reports VmHWM − VmRSS from /proc/self/status. That includes Pillow's and the codecs' native
allocations, which tracemalloc does not see; the input bytes themselves are not counted.

Then a 300-dpi A4 scan as a scanner app's PDF (its JPEG taken out) and the same PDF with its page
turned (drawn by PDFium, then checked): time and memory of ours only.

Last, four 12 MP photos go through ``ImageService`` (2 at a time) while a chat-reply task wakes
every 10 ms, yields once and does a little work; its lateness p99 is printed.

Targets: 12 MP < 200 ms, < 60 MB, ≥ 2.5× faster; 48 MP < 600 ms; reply p99 < 100 ms.
Runs in about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageOps  # noqa: E402

from bot.images import ImageRules, check_and_normalise, pdf  # noqa: E402
from bot.images.parts import split_upload  # noqa: E402
from bot.images.service import ImageService  # noqa: E402
from bot.images.storage import DocumentStore  # noqa: E402
from tests.support import image_samples as samples  # noqa: E402
from tests.support import image_scenes as scenes  # noqa: E402
from tests.support import pdf_samples as pdfs  # noqa: E402

ID_CARD = ImageRules(min_short_side=720)
LICENCE = ImageRules(min_short_side=1100)


def baseline(data: bytes, rules: ImageRules, size: tuple[int, int]) -> bytes:
    """The straightforward pipeline: full decode, rotate, convert, resize, encode loop."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    if image.size != size:
        image = image.resize(size)
    quality = 95
    while True:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= rules.max_output_bytes or quality <= 20:
            return buffer.getvalue()
        quality -= 5


def median_ms(call: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def child(which: str, path: str, short_side: int, width: int, height: int) -> None:
    """Subprocess: one call on the file at ``path``; print the peak extra RSS in MB."""
    data = Path(path).read_bytes()
    rules = ImageRules(min_short_side=short_side)
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = _status("VmRSS")
    if which == "ours":
        check_and_normalise(data, rules)
    else:
        baseline(data, rules, (width, height))
    print(json.dumps({"peak_mb": (_status("VmHWM") - before) / 1024}))


def _status(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    assert match is not None
    return int(match.group(1))


def peak_mb(which: str, path: Path, rules: ImageRules, size: tuple[int, int]) -> float:
    """Peak extra memory of one call, measured in a fresh subprocess."""
    command = [sys.executable, __file__, "--child", which, str(path), str(rules.min_short_side)]
    output = subprocess.run(
        [*command, str(size[0]), str(size[1])], capture_output=True, text=True, check=True
    ).stdout
    return float(json.loads(output)["peak_mb"])


async def reply_latency(photos: list[bytes], store_root: Path) -> tuple[float, float, int]:
    """(p99 ms, max ms, replies) of a 10 ms chat-reply loop while ``photos`` are processed."""
    service = ImageService(DocumentStore(store_root), max_concurrent=2)
    loop = asyncio.get_running_loop()
    lateness: list[float] = []
    finished = asyncio.Event()

    async def replies() -> None:
        while not finished.is_set():
            due = loop.time() + 0.010
            await asyncio.sleep(0.010)
            await asyncio.sleep(0)
            json.dumps({"chat_id": 42, "text": "Thanks, your licence was received." * 3})
            lateness.append(loop.time() - due)

    task = asyncio.create_task(replies())
    try:
        results = await asyncio.gather(*(service.process(photo, ID_CARD) for photo in photos))
    finally:
        finished.set()
        await task
        service.close()
    assert all(result.accepted for result, _ in results)
    ordered = sorted(lateness)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p99 * 1000, ordered[-1] * 1000, len(ordered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        which, path, short_side, width, height = args.child
        child(which, path, int(short_side), int(width), int(height))
        return

    started = time.perf_counter()
    print("building samples…", flush=True)
    cases = [
        ("12 MP phone JPEG, orientation 6", samples.phone_photo((4000, 3000)), LICENCE,
         "< 200 ms, < 60 MB, ≥ 2.5×"),
        ("48 MP phone JPEG, orientation 6", samples.phone_photo((8000, 6000)), LICENCE,
         "< 600 ms"),
        ("A4 300-dpi colour scan, PNG", samples.a4_scan(300, "PNG"), LICENCE, "—"),
        ("PNG phone screenshot 1170×2532", samples.screenshot(), ID_CARD, "—"),
    ]  # fmt: skip
    print(f"built in {time.perf_counter() - started:.1f} s; {args.runs} timed runs each\n")
    header = f"{'input':33} {'MB in':>6} {'ours ms':>8} {'base ms':>8} {'speed-up':>8}"
    header += f" {'ours MB':>8} {'base MB':>8}  output               target"
    print(header)
    with tempfile.TemporaryDirectory() as temp:
        for index, (name, data, rules, target) in enumerate(cases):
            result, output = check_and_normalise(data, rules)
            assert result.accepted and output is not None, (name, result)
            size = (output.width, output.height)
            ours = median_ms(lambda d=data, r=rules: check_and_normalise(d, r), args.runs)
            base = median_ms(lambda d=data, r=rules, s=size: baseline(d, r, s), args.runs)
            path = Path(temp) / f"{index}.bin"
            path.write_bytes(data)
            ours_mb = peak_mb("ours", path, rules, size)
            base_mb = peak_mb("baseline", path, rules, size)
            produced = f"{size[0]}×{size[1]} q{output.quality} {len(output.data) // 1000} KB"
            print(
                f"{name:33} {len(data) / 1e6:6.1f} {ours:8.0f} {base:8.0f} {base / ours:7.1f}×"
                f" {ours_mb:8.0f} {base_mb:8.0f}  {produced:20} {target}",
                flush=True,
            )
        scan = Image.open(io.BytesIO(samples.a4_scan(300, "JPEG")))
        scanned = pdfs.scanned(scan, dpi=300.0)
        pdf_cases = [
            ("A4 scanner PDF (JPEG page)", scanned),
            ("... its page turned (drawn)", pdfs.rotated(scanned, 90)),
            ("hostile 200-inch blank page", pdfs.blank((14_400, 14_400))),  # refused
        ]
        print(f"\n{'PDF input':33} {'MB in':>6} {'ours ms':>8} {'ours MB':>8}  output")
        for index, (name, data) in enumerate(pdf_cases):
            result, output = check_and_normalise(data, LICENCE)
            ours = median_ms(lambda d=data: check_and_normalise(d, LICENCE), args.runs)
            path = Path(temp) / f"pdf{index}.bin"
            path.write_bytes(data)
            ours_mb = peak_mb("ours", path, LICENCE, (result.width, result.height))
            produced = (
                f"{output.width}×{output.height} q{output.quality} {len(output.data) // 1000} KB"
                if output is not None
                else f"refused ({result.reason}), drawn at {result.width}×{result.height}"
            )
            print(f"{name:33} {len(data) / 1e6:6.1f} {ours:8.0f} {ours_mb:8.0f}  {produced}")
        pages = pdfs.scanned(scan, scan, dpi=300.0)
        split = median_ms(lambda: pdf.split(pages, most=2), args.runs)
        print(f"splitting a two-page A4 scan into one-page PDFs: {split:.1f} ms")
        phone = samples.phone_photo((4000, 3000), orientation=6)
        probe = median_ms(lambda: split_upload(phone, most=2), args.runs)
        sides_page = samples.encode(scenes.id_card_sides_page(), quality=90)
        cut = median_ms(lambda: split_upload(sides_page, most=2), args.runs)
        print(
            f"looking for a card's two sides at the portrait side's step: {probe:.0f} ms in a"
            f" 12 MP photo (none), {cut:.0f} ms to find and cut them on an A4 page"
        )
        photos = [samples.phone_photo((4000, 3000), orientation=6)] * 4
        p99, worst, count = asyncio.run(reply_latency(photos, Path(temp) / "store"))
    print(
        f"\nchat replies while 4 × 12 MP photos are processed (2 at a time): p99 {p99:.1f} ms,"
        f" max {worst:.1f} ms over {count} replies (target p99 < 100 ms)"
    )
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
