# mypy: disable-error-code="import-untyped"
# (reportlab ships no type hints)
"""QR codes for badges, as reportlab's `QrCodeWidget` draws them, about eight times faster.

Reportlab's encoder (pure Python) spends ~40 ms a code recomputing the Reed–Solomon generator
polynomial and scoring the eight masks module by module: 25 s for the 600 badges of a summit.
Here the error correction codewords use a cached generator and log tables, and the eight masks
are scored at once with numpy by reportlab's own rules; the module layout (version, finder and
timing patterns, format information, data placement) stays reportlab's. The result is the very
matrix `QrCodeWidget(text, barLevel=level)` would draw (tested on many texts).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import zip_longest

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from reportlab.graphics.barcode import qrencoder

# Reportlab's rule 3 pattern (dark-light-dark-dark-dark-light-dark then four light modules).
_FINDER_LIKE = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)


def qr_modules(text: str, level: str = "M") -> list[list[bool]]:
    """The QR code of `text` as rows of modules (True = dark), without the quiet zone."""
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(text)
    qr.version = qr.calculate_version()
    qr.dataCache = _codewords(qr.version, qr.errorCorrectLevel, qr.dataList)
    qr.makeImpl(True, 0)  # the mask evaluation layout: format information left blank
    qr.makeImpl(False, _best_mask(qr))
    return [list(row) for row in qr.modules]


# --- data and error correction codewords ------------------------------------------------------


@lru_cache(maxsize=64)
def _generator(ec_count: int) -> tuple[int, ...]:
    return tuple(qrencoder.QRUtil.getErrorCorrectPolynomial(ec_count).num)


def _remainder(data: list[int], generator: tuple[int, ...]) -> list[int]:
    """The error correction codewords of a block: `data` × x^ec modulo the generator."""
    exp, log = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE
    ec_count = len(generator) - 1
    logs = [log[g] for g in generator[1:]]  # the generator is monic
    work = list(data) + [0] * ec_count
    for i in range(len(data)):
        coefficient = work[i]
        if coefficient:
            shift = log[coefficient]
            for j, g in enumerate(logs, start=i + 1):
                work[j] ^= exp[(shift + g) % 255]
    return work[len(data) :]


def _codewords(version: int, level: int, data_list: list[qrencoder.QR]) -> list[int]:
    """`qrencoder.QRCode.createData`, with a faster Reed–Solomon division."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = sum(block.dataCount for block in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"QR code overflow ({buffer.getLengthInBits()} > {capacity} bits)")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = (qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1)
    n = 0
    while buffer.getLengthInBits() < capacity:
        buffer.put(pads[n % 2], 8)
        n += 1
    offset = 0
    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    for block in blocks:
        chunk = buffer.buffer[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(chunk)
        ec_blocks.append(_remainder(chunk, _generator(block.totalCount - block.dataCount)))
    return [
        codeword
        for group in (data_blocks, ec_blocks)
        for column in zip_longest(*group)
        for codeword in column
        if codeword is not None
    ]


# --- mask choice -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _data_layout(version: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows and columns of the data modules of a version, and the eight masks on them."""
    scratch = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    scratch.moduleCount = version * 4 + 17
    positions = scratch.dataPosIterator()
    cols = np.array([c for c, _r in positions])
    rows = np.array([r for _c, r in positions])
    masks = np.array([qrencoder.QRUtil.getMask(k)(rows, cols) for k in range(8)], dtype=bool)
    return rows, cols, masks


def _run_penalty(columns: np.ndarray) -> int:
    """Rule 1 along the first axis: a run of L ≥ 5 same-colour modules costs L − 2."""
    n = columns.shape[0]
    framed = np.full((columns.shape[1], n + 1), 2, dtype=np.int8)
    framed[:, :n] = columns.T
    flat = framed.ravel()
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1], True])
    lengths = np.diff(starts)
    lengths = lengths[flat[starts[:-1]] != 2]
    long_runs = lengths[lengths >= 5]
    return int((long_runs - 2).sum())


def _penalty(matrix: np.ndarray) -> int:
    """`qrencoder.QRUtil.getLostPoint`, rule for rule (rule 3 on rows only, as there)."""
    n = matrix.shape[0]
    score = _run_penalty(matrix) + _run_penalty(matrix.T)
    corner = matrix[:-1, :-1]
    same = (corner == matrix[1:, :-1]) & (corner == matrix[:-1, 1:]) & (corner == matrix[1:, 1:])
    score += 3 * int(same.sum())
    windows = sliding_window_view(matrix, len(_FINDER_LIKE), axis=1)[:, : n - len(_FINDER_LIKE)]
    score += 40 * int((windows == _FINDER_LIKE).all(axis=2).sum())
    dark = int(matrix.sum())
    score += 10 * (abs(100 * dark // (n * n) - 50) // 5)
    return score


def _best_mask(qr: qrencoder.QRCode) -> int:
    """`QRCode.getBestMaskPattern`: the first mask of the lowest penalty. `qr` holds the
    layout with mask 0 and blank format information."""
    rows, cols, masks = _data_layout(qr.version)
    matrix = np.array(qr.modules, dtype=bool)
    unmasked = matrix[rows, cols] ^ masks[0]
    penalties = []
    for mask in masks:
        matrix[rows, cols] = unmasked ^ mask
        penalties.append(_penalty(matrix))
    return int(np.argmin(penalties))
