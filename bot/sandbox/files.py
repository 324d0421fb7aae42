"""Files the world holds: uploads from the bot and media sent by personas, by file_id."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo, document, sticker, voice
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0

    @property
    def file_path(self) -> str:
        folder = {"photo": "photos", "sticker": "stickers", "voice": "voice"}.get(
            self.kind, "documents"
        )
        ext = (self.file_name or "").rpartition(".")[2] or {
            "photo": "jpg",
            "sticker": "webp",
            "voice": "oga",
        }.get(self.kind, "bin")
        return f"{folder}/{self.file_unique_id}.{ext}"

    def file_json(self) -> dict[str, Any]:
        """The File object of getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def photo_sizes(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": len(self.data),
            }
        ]

    def document_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc


class FileStore:
    """file_id → file; ids look like Telegram's (opaque, unique, kind-prefixed)."""

    PREFIX: ClassVar[dict[str, str]] = {
        "photo": "AgACAgI",
        "document": "BQACAgI",
        "sticker": "CAACAgI",
        "voice": "AwACAgI",
    }

    def __init__(self) -> None:
        self.files: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def clear(self) -> None:
        self.files.clear()
        self.by_path.clear()

    def add(self, kind: str, data: bytes, **fields: Any) -> StoredFile:
        self._counter += 1
        digest = hashlib.sha1(data + str(self._counter).encode()).hexdigest()[:16]
        stored = StoredFile(
            file_id=f"{self.PREFIX.get(kind, 'BQACAgI')}{self._counter:06d}{digest}",
            file_unique_id=f"AQAD{self._counter:06d}",
            kind=kind,
            data=data,
            **fields,
        )
        if kind in ("photo", "sticker") and not stored.width:
            stored.width, stored.height = image_size(data) or (512, 512)
        self.files[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self.files.get(file_id)


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, from its header; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            size = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + size
    return None


def tiny_png(
    width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (46, 139, 87)
) -> bytes:
    """A valid solid-colour PNG, the picture a persona sends when no file is given."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def fake_voice(duration: int) -> bytes:
    """Bytes standing in for an Ogg/Opus voice note (only an Ogg magic and padding)."""
    return b"OggS" + bytes(28) + b"OpusHead" + bytes(max(duration, 1) * 16)
