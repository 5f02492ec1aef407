"""Reading scanned forms: the text of an image, or of an image-only PDF's pages, by Tesseract OCR.

Tesseract (Debian ``tesseract-ocr`` and ``tesseract-ocr-eng``) runs as a separate process, one page
at a time, bounded: :class:`~.limits.Limits` ``max_ocr_pages`` pages a message, ``max_ocr_pixels``
pixels a page, ``ocr_seconds_per_page`` seconds a page (the process is killed after that) and
``ocr_memory_bytes`` of address space. Whatever goes wrong comes back as :class:`~.document_readers.Unreadable`
with a fixed reason (no personal data), so the message goes to a person; nothing here raises
anything else or logs.

Text read by OCR is uncertain: the pipeline marks every referral read this way for the Business
Manager to confirm.

Images are passed to Tesseract as they are (JPEG, PNG, TIFF, ...). A PDF page's image is taken from
the page's own image objects: a DCT (JPEG) stream as it is, an 8-bit grey or RGB Flate stream as a
netpbm image; other encodings (CCITT fax, JBIG2, JPEG 2000) are not read.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess

from .document_readers import Unreadable
from .limits import Budget, Limits

NOT_INSTALLED = "scanned form: OCR (tesseract) is not installed"
TIMED_OUT = "scanned form: OCR took too long"
FAILED = "scanned form: OCR failed"
TOO_LARGE = "scanned form: image too large to read by OCR"
NO_TEXT = "scanned form: no text recognised by OCR"
NO_IMAGE = "scanned form: no page image that OCR can read"

# Reasons meaning "no text here" rather than "not read": an image like this is no lost form.
NOT_A_FORM = frozenset({NO_TEXT, "image (no text to read)"})

MIN_PIXELS = 300_000  # smaller images (logos, signatures, icons) are not forms


def read_image(data: bytes, limits: Limits, budget: Budget) -> str:
    """The text of one attached image. Raises :class:`Unreadable`."""
    size = image_size(data)
    if size is not None and size[0] * size[1] < MIN_PIXELS:
        raise Unreadable("image (no text to read)")
    return _ocr_pages([(data, size)], limits, budget)


def read_pdf_scan(data: bytes, limits: Limits, budget: Budget) -> str:
    """The text of an image-only PDF, page by page. Raises :class:`Unreadable`."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) > limits.max_ocr_pages:  # a long scan is read by a person, not in part
            raise Unreadable(_too_many_pages(limits))
        images = []
        for page in reader.pages:
            image = _page_image(page)
            if image is not None:
                images.append(image)
    except Unreadable:
        raise
    except Exception as exc:  # a broken page tree: the scan cannot be read
        raise Unreadable(NO_IMAGE) from exc
    if not images:
        raise Unreadable(NO_IMAGE)
    return _ocr_pages(images, limits, budget)


# ---------------------------------------------------------------------------


def _ocr_pages(pages: list[tuple[bytes, tuple[int, int] | None]], limits: Limits, budget: Budget) -> str:
    exe = shutil.which("tesseract")
    if not exe:
        raise Unreadable(NOT_INSTALLED)
    texts = []
    for data, size in pages:
        if not budget.take_ocr_page():
            raise Unreadable(_too_many_pages(limits))
        if size is not None and size[0] * size[1] > limits.max_ocr_pixels:
            raise Unreadable(TOO_LARGE)
        if len(data) > limits.max_ocr_bytes:
            raise Unreadable(TOO_LARGE)
        texts.append(_tesseract(exe, data, limits))
    text = tidy_postcodes("\n\n".join(t.strip("\n") for t in texts))
    if not budget.take_expanded(len(text)):
        raise Unreadable("too large when expanded")
    if sum(ch.isalnum() for ch in text) < 20:
        raise Unreadable(NO_TEXT)
    return text


# A UK postcode as OCR misreads it: the inward code's digit read as a letter, its two letters as digits or
# punctuation ("SB1 9E)" for "SB1 9EJ", "EN1 1AA" as "EN1 lAA"). Only a token shaped like a postcode, after an
# outward code that is one, is mended; the value stays "read by OCR", for a person to confirm.
_OCR_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ([0-9OIlS])([A-Z0-9)|\]]{2})(?![\w)|\]])")
_AS_DIGIT = str.maketrans({"O": "0", "I": "1", "l": "1", "S": "5"})
_AS_LETTER = str.maketrans({")": "J", "]": "J", "|": "I", "0": "O", "1": "I", "5": "S", "8": "B"})


def tidy_postcodes(text: str) -> str:
    """OCR'd text with its postcodes' commonest misreadings mended (see :data:`_OCR_POSTCODE`)."""
    def mend(m: re.Match[str]) -> str:
        if not any("A" <= ch <= "Z" for ch in m.group(3)):  # "AB12 345": no letter read at all, no postcode
            return m.group(0)
        return f"{m.group(1)} {m.group(2).translate(_AS_DIGIT)}{m.group(3).translate(_AS_LETTER)}"

    return _OCR_POSTCODE.sub(mend, text)


def _too_many_pages(limits: Limits) -> str:
    return f"scanned form: more than {limits.max_ocr_pages} pages to read by OCR in one message"


def _tesseract(exe: str, data: bytes, limits: Limits) -> str:
    # The memory bound through util-linux prlimit (no preexec_fn: not safe in a process with threads).
    prlimit = shutil.which("prlimit")
    bound = [prlimit, f"--as={limits.ocr_memory_bytes}", "--"] if prlimit else []
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C"}
    if os.environ.get("TESSDATA_PREFIX"):
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    try:
        done = subprocess.run([*bound, exe, "stdin", "stdout", "-l", "eng", "--psm", "4"], input=data,
                              capture_output=True, timeout=limits.ocr_seconds_per_page, env=env, check=False)
    except subprocess.TimeoutExpired as exc:  # run() kills the process
        raise Unreadable(TIMED_OUT) from exc
    except OSError as exc:
        raise Unreadable(FAILED) from exc
    if done.returncode != 0:
        raise Unreadable(FAILED)
    return done.stdout.decode("utf-8", "replace")


def _page_image(page) -> tuple[bytes, tuple[int, int] | None] | None:
    """The largest readable image drawn on a page, as bytes Tesseract reads, with its size."""
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources else None
    if not xobjects:
        return None
    best = None
    for _, ref in list(xobjects.get_object().items())[:50]:
        obj = ref.get_object()
        if obj.get("/Subtype") != "/Image":
            continue
        width, height = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
        if best is not None and width * height <= best[1][0] * best[1][1]:
            continue
        image = _image_bytes(obj, width, height)
        if image is not None:
            best = (image, (width, height))
    return best


def _image_bytes(obj, width: int, height: int) -> bytes | None:
    filters = obj.get("/Filter")
    filters = [str(f) for f in filters] if isinstance(filters, list) else ([str(filters)] if filters else [])
    if width <= 0 or height <= 0 or width * height > 200_000_000:
        return None
    if filters == ["/DCTDecode"]:
        return bytes(obj._data)  # the JPEG file itself
    if filters in ([], ["/FlateDecode"]) and int(obj.get("/BitsPerComponent", 8)) == 8:
        space = obj.get("/ColorSpace")
        channels = {"/DeviceGray": 1, "/DeviceRGB": 3}.get(str(space))
        if channels is None:
            return None
        pixels = obj.get_data()
        if len(pixels) < width * height * channels:
            return None
        magic = b"P5" if channels == 1 else b"P6"
        return b"%s\n%d %d\n255\n" % (magic, width, height) + pixels[: width * height * channels]
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its header; None for other formats or a broken header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data) and i < 1_000_000:
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None
