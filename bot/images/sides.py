"""An ID card's two sides on one page, as scanner apps' "ID card" mode lays them out.

CamScanner, Adobe Scan and the copy shops' scanners put the portrait side above the emblem side
(or beside it) on one white page, and clients send that page — as a photo or a one-page PDF —
for the portrait side's step. The providers want each side on its own: ``card_boxes`` finds
the two cards, which ``bot.images.parts`` cuts out for their own steps.

The test is strict, so that a photo of one card, a licence or a landscape is never cut: a
uniform, bright page around exactly two separate areas of content, each shaped like an ID card
(85.6 × 54 mm) and about as large as the other.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]  # left, top, right, bottom

PROBE_LONG_SIDE = 500  # the page is looked at this small; the cut is made at full size
MIN_PAGE_BRIGHTNESS = 200  # the page's border, 0–255: white or near-white paper
MAX_PAGE_SPREAD = 14.0  # standard deviation of the border: plain paper, not a table or a scene
MIN_CONTENT_DIFFERENCE = 12  # a pixel at least this far from the paper's tone is on a card
CONTENT_SHARE = 0.02  # a row (or column) with this share of content pixels crosses a card
MIN_GAP = 0.02  # plain paper between the cards, as a share of the page
CARD_ASPECT = (1.4, 1.8)  # 85.6 / 54 = 1.59, with room for a margin or a slight tilt
MIN_CARD_WIDTH = 0.3  # each card spans at least this share of the page across the cards
MAX_SIZE_RATIO = 1.2  # the two cards' areas differ by at most this factor
MINOR_RUN = 0.25  # content this much thinner than a card is a caption or a watermark: ignored
MARGIN = 0.03  # paper kept around each cut card, as a share of its width


def card_boxes(image: Image.Image) -> tuple[Box, Box] | None:
    """Where the two cards are on ``image`` (in its pixels, with a margin of paper), or None."""
    width, height = image.size
    scale = max(width, height) / PROBE_LONG_SIDE
    probe = image.convert("L")
    if scale > 1:
        probe = probe.resize((max(1, round(width / scale)), max(1, round(height / scale))))
    grey = np.asarray(probe, dtype=np.float32)
    paper = _paper(grey)
    if paper is None:
        return None
    tone, spread = paper
    # A card's pale ground differs from white paper by little: anything clearly off the paper's
    # own noise counts, so that the cut keeps the card's edges and corners.
    content = np.abs(grey - tone) > max(MIN_CONTENT_DIFFERENCE, 3 * spread + 6)
    for axis in (0, 1):  # cards one above the other, then side by side
        boxes = _two_cards_along(content, axis)
        if boxes is not None:
            ratio = width / grey.shape[1], height / grey.shape[0]
            first, second = (_full_size(box, ratio, image.size) for box in boxes)
            return first, second
    return None


def _paper(grey: np.ndarray) -> tuple[float, float] | None:
    """The tone and noise of a plain, bright page, read on its border; None when it is no such
    page."""
    rows, columns = grey.shape
    band = max(2, min(rows, columns) // 40)
    border = np.concatenate(
        [
            grey[:band].ravel(),
            grey[-band:].ravel(),
            grey[:, :band].ravel(),
            grey[:, -band:].ravel(),
        ]
    )
    tone, spread = float(np.median(border)), float(border.std())
    if tone < MIN_PAGE_BRIGHTNESS or spread > MAX_PAGE_SPREAD:
        return None
    return tone, spread


def _two_cards_along(content: np.ndarray, axis: int) -> tuple[Box, Box] | None:
    """Two cards laid along ``axis`` (0: one above the other; 1: side by side), in probe
    pixels, or None."""
    lines = content if axis == 0 else content.T  # a line crosses the cards' layout
    runs = _major_runs(lines.mean(axis=1) > CONTENT_SHARE)
    if len(runs) != 2:
        return None
    boxes: list[Box] = []
    for start, end in runs:
        extent = _major_runs(lines[start:end].mean(axis=0) > CONTENT_SHARE)
        if len(extent) != 1:  # one card across, nothing of a size beside it
            return None
        low, high = extent[0]
        box = (low, start, high, end) if axis == 0 else (start, low, end, high)
        left, top, right, bottom = box
        card_width, card_height = right - left, bottom - top
        if not CARD_ASPECT[0] <= card_width / card_height <= CARD_ASPECT[1]:
            return None
        if card_width < MIN_CARD_WIDTH * content.shape[1]:
            return None
        boxes.append(box)
    areas = [(right - left) * (bottom - top) for left, top, right, bottom in boxes]
    if max(areas) > MAX_SIZE_RATIO * min(areas):
        return None
    return boxes[0], boxes[1]


def _major_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """The runs of content along a profile, joined across thin gaps, without the ones much
    thinner than the thickest (a caption's or a watermark's line)."""
    runs = _runs(flags, min_gap=max(1, round(MIN_GAP * len(flags))))
    longest = max((end - start for start, end in runs), default=0)
    return [(start, end) for start, end in runs if end - start >= MINOR_RUN * longest]


def _runs(flags: np.ndarray, min_gap: int) -> list[tuple[int, int]]:
    """The runs of True in ``flags`` (start, end), joining runs split by fewer than
    ``min_gap`` False values."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, flag in enumerate(flags.tolist()):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(flags)))
    joined: list[tuple[int, int]] = []
    for run in runs:
        if joined and run[0] - joined[-1][1] < min_gap:
            joined[-1] = (joined[-1][0], run[1])
        else:
            joined.append(run)
    return joined


def _full_size(box: Box, ratio: tuple[float, float], size: tuple[int, int]) -> Box:
    """A probe box in full-size pixels, with a thin margin of paper, kept on the page."""
    left, top, right, bottom = box
    margin = MARGIN * (right - left) * ratio[0]
    return (
        max(0, int(left * ratio[0] - margin)),
        max(0, int(top * ratio[1] - margin)),
        min(size[0], int(right * ratio[0] + margin + 0.999)),
        min(size[1], int(bottom * ratio[1] + margin + 0.999)),
    )
