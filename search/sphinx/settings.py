"""What a cluster's readers must share with its writer: user dictionary and time zone.

Both travel in the indexer's manifest in the state row, so they change with the
live slot in one REPLACE (a new dictionary or zone means a full build): a reader
never pairs the new articles with the old dictionary. The backend fingerprint
names both, so a reader sees at once that it must load them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone

from ..analysis import Segmenter
from ..schema import CHINA_TZ, fingerprint
from ..zones import zone_named
from .state import read_state, unpack

__all__ = ["Settings", "backend_fingerprint", "read_settings", "settings_of"]

BACKEND_VERSION = "2"  # 2: names (people, places, orgs) as MVA attributes
_CHINA = "+08:00"


@dataclass(frozen=True)
class Settings:
    """The user dictionary's text ('' for none) and the zone dates are read and shown in."""

    userdict: str = ""
    tz: str = _CHINA

    @property
    def zone(self) -> timezone:
        return zone_named(self.tz) or CHINA_TZ

    def segmenter(self) -> Segmenter:
        seg = Segmenter(None)
        seg.userdict_text = self.userdict  # as Segmenter(path) would have read it
        return seg


def backend_fingerprint(seg: Segmenter, tz: str = _CHINA) -> str:
    """What a cluster's rows and readers depend on; a mismatch means 'rebuild'."""
    zone = "" if tz == _CHINA else f"-tz{tz}"  # clusters built before --tz keep theirs
    return f"sphinx{BACKEND_VERSION}-{fingerprint(seg.fingerprint)}{zone}"


def settings_of(manifest: dict | None) -> Settings:
    """The settings a packed manifest (``state.unpack``) records; defaults for none."""
    manifest = manifest or {}
    return Settings(str(manifest.get("userdict") or ""), str(manifest.get("tz") or _CHINA))


def read_settings(conn, name: str) -> Settings:
    """The live slot's settings (reads the manifest: call it when the state changed)."""
    state = read_state(conn, name, with_manifest=True)
    return settings_of(unpack(state.manifest) if state.manifest else None)
