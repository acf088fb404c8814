"""Login profiles: one JSON file per profile under the user's configuration folder.

A profile keeps what the commands need to call a server as a logged-in admin: the
server's URL, the public key (to show who is logged in) and the session's tokens. Never
the private key: when the refresh token ends, the user logs in again.

The folder is `$APPSERVICES_CONFIG_DIR` when set, else `$XDG_CONFIG_HOME/appservices`
when XDG_CONFIG_HOME is set, else click's application folder (`~/.config/appservices` on
Linux). Each file is written to a temporary file of mode 0600 in the same folder and
renamed over the old one, so a reader never sees half a profile and the tokens are never
readable by other users, not even for a moment.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import click

DEFAULT_PROFILE = "default"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Profile:
    name: str
    url: str
    public_key: str
    access_token: str
    refresh_token: str
    user_id: str = ""


def config_dir() -> Path:
    """Return the folder that holds the profiles' files (it may not exist yet)."""
    explicit = os.environ.get("APPSERVICES_CONFIG_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        return Path(xdg).expanduser() / "appservices"
    return Path(click.get_app_dir("appservices"))


def validate_name(name: str) -> str:
    """Refuse a profile name that could not be a plain file name."""
    if not NAME_PATTERN.fullmatch(name):
        raise click.BadParameter(
            f"{name!r}: a profile name is 1-64 letters, digits, '_' or '-'",
            param_hint="'--profile'",
        )
    return name


def path_of(name: str) -> Path:
    return config_dir() / "profiles" / f"{validate_name(name)}.json"


def names() -> list[str]:
    """Return the names of the saved profiles, sorted."""
    folder = config_dir() / "profiles"
    if not folder.is_dir():
        return []
    return sorted(path.stem for path in folder.glob("*.json")
                  if NAME_PATTERN.fullmatch(path.stem))


def load(name: str) -> Profile | None:
    """Return the saved profile `name`, or None when there is none."""
    path = path_of(name)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    try:
        data = json.loads(raw)
        return Profile(
            name=name, url=str(data["url"]), public_key=str(data["public_key"]),
            access_token=str(data.get("access_token", "")),
            refresh_token=str(data.get("refresh_token", "")),
            user_id=str(data.get("user_id", "")),
        )
    except (ValueError, KeyError, TypeError):
        raise click.ClickException(
            f"{path} is damaged: delete it and run `appservices login` again"
        ) from None


def save(profile: Profile) -> Path:
    """Write the profile atomically to a file of mode 0600; return its path."""
    path = path_of(profile.name)
    data = {key: value for key, value in asdict(profile).items() if key != "name"}
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600 before anything is written to it.
        fd, temporary = tempfile.mkstemp(prefix=f".{profile.name}.", suffix=".tmp",
                                         dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise click.ClickException(
            f"cannot write the profile {path}: {error.strerror or error}"
        ) from None
    return path


def delete(name: str) -> bool:
    """Remove the profile's file; return whether there was one."""
    try:
        path_of(name).unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise click.ClickException(f"cannot remove {path_of(name)}: {error.strerror}") from None
    return True
