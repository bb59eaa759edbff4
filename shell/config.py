"""Configuration: cqlshrc compatibility, cassalite's own defaults file, data/history paths.

Precedence (lowest first): built-in defaults, ``~/.cassandra/cqlshrc`` (or ``--cqlshrc``),
cassalite's own file (``$CASSALITE_CONFIG`` or ``<config dir>/cassalite/cassaliterc``),
command-line flags. Both files use the same sections; ours adds ``[cassalite]``.
"""

from __future__ import annotations

import configparser
import datetime
import os
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from cassalite.storage.paths import default_data_dir

from .formatting import DEFAULT_TIME_FORMAT, FormatSettings

COPY_SECTIONS = ("copy", "copy-to", "copy-from")


def user_data_dir() -> Path:
    """Where databases and history live: $CASSALITE_DATA_DIR, else the platform's user
    data directory (the same default as cassalite-server and cassalite-nodetool)."""
    return default_data_dir()


def user_config_file() -> Path:
    env = os.environ.get("CASSALITE_CONFIG")
    if env:
        return Path(env).expanduser()
    if os.name == "nt":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cassalite" / "cassaliterc"


def default_cqlshrc() -> Path:
    return Path.home() / ".cassandra" / "cqlshrc"


def history_file(data_dir: Path | None) -> Path:
    """$CQL_HISTORY wins (cqlsh's variable); else in the data dir; else ~/.cassalite_history."""
    env = os.environ.get("CASSALITE_HISTORY") or os.environ.get("CQL_HISTORY")
    if env:
        return Path(env).expanduser()
    if data_dir is not None:
        return data_dir / "history"
    return Path.home() / ".cassalite_history"


@dataclass
class Config:
    """The merged view of the config files, as typed values."""

    parser: configparser.RawConfigParser = field(default_factory=configparser.RawConfigParser)
    warnings: list[str] = field(default_factory=list)  # for stderr
    notices: list[str] = field(default_factory=list)  # for stdout (where cqlsh prints them)
    cqlshrc: Path = field(default_factory=lambda: default_cqlshrc())  # the one read

    def get(self, section: str, option: str, default: str | None = None) -> str | None:
        try:
            return self.parser.get(section, option)
        except (configparser.Error, ValueError):
            return default

    def getbool(self, section: str, option: str, default: bool | None = None) -> bool | None:
        try:
            return self.parser.getboolean(section, option)
        except (configparser.Error, ValueError):
            return default

    def getint(self, section: str, option: str, default: int | None) -> int | None:
        try:
            return self.parser.getint(section, option)
        except (configparser.Error, ValueError):
            return default

    def getfloat(self, section: str, option: str, default: float) -> float:
        try:
            return self.parser.getfloat(section, option)
        except (configparser.Error, ValueError):
            return default

    def copy_options(self) -> dict[str, dict[str, str]]:
        """Every [copy*] section, option names lower-cased (COPY applies the right ones)."""
        out: dict[str, dict[str, str]] = {}
        for section in self.parser.sections():
            if section.startswith("copy"):
                out[section] = {k.lower(): v for k, v in self.parser.items(section)}
        return out


def load_config(cqlshrc: str | None = None) -> Config:
    cfg = Config()
    rc = default_cqlshrc()
    if cqlshrc:
        path = Path(cqlshrc).expanduser()
        if path.exists():
            rc = path
        else:
            cfg.notices.append(f"\nWarning: Specified cqlshrc location `{path}` does not exist."
                               f"  Using `{default_cqlshrc()}` instead.\n")
    cfg.cqlshrc = rc
    for path in (rc, user_config_file()):
        try:
            cfg.parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError) as e:
            cfg.warnings.append(f"Warning: could not read {path}: {e}")
    return cfg


def timezone_setup(cfg: Config) -> tuple[datetime.tzinfo, list[str]]:
    """The display time zone and cqlsh's warnings about it (for stderr, each followed by a
    blank line), in cqlsh's order: ``[ui] timezone``, then ``$TZ``, which wins when both
    are valid. With neither, UTC: cqlsh's choice when the ``tzlocal`` module is missing
    (it is not a dependency of cqlsh), so a custom ``[ui] time_format`` then draws its warning
    that the local zone could not be detected."""
    zone: datetime.tzinfo | None = None
    warnings: list[str] = []
    sources = ((cfg.get("ui", "timezone"), "specified in cqlshrc"),
               (os.environ.get("TZ"), "from environment value TZ"))
    for name, where in sources:
        if name is None or (not name and where == "specified in cqlshrc"):
            continue
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            warnings.append(f"Warning: could not recognize timezone '{name}' {where}\n")
    if zone is None:
        if cfg.get("ui", "time_format", default_time_format()) != default_time_format():
            warnings.append("Warning: custom timestamp format specified in cqlshrc, but local "
                            "timezone could not be detected.\nEither install Python 'tzlocal' "
                            "module for auto-detection or specify client timezone in your "
                            "cqlshrc.\n")
        zone = datetime.UTC
    return zone, warnings


def display_timezone(cfg: Config) -> datetime.tzinfo:
    return timezone_setup(cfg)[0]


def default_time_format() -> str:
    return os.environ.get("CQLSH_DEFAULT_TIMESTAMP_FORMAT") or DEFAULT_TIME_FORMAT


def format_settings(cfg: Config) -> FormatSettings:
    time_format = default_time_format()
    return FormatSettings(
        float_precision=cfg.getint("ui", "float_precision", 5),
        double_precision=cfg.getint("ui", "double_precision", 5),
        time_format=cfg.get("ui", "time_format", time_format) or time_format,
        timezone=display_timezone(cfg),
    )
