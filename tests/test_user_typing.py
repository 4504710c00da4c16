"""Types reach users: after an editable install, ``mypy --strict`` on a user's program sees the
package's annotations (setuptools' flat-layout editable install hid them behind an import hook,
and mypy answered "Cannot find implementation or library stub").

The install runs offline: a fresh virtualenv that borrows this environment's packages (pip,
the build backend, the runtime dependencies) through a ``.pth`` line, so only the editable
install itself, made by the declared backend, is new. mypy runs from this environment against
the fresh interpreter, in a directory outside the project, so it can find the package only
through what the install put in site-packages.
"""

from __future__ import annotations

import importlib.util
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.venv

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = ("--no-build-isolation", "--editable", str(ROOT))

USER_PROGRAM = """
from __future__ import annotations

import json

from twilio_proxy_async import AsyncPager, Client, Cursor, Session, from_dict, to_dict


def first_cursor(pager: AsyncPager[Session]) -> Cursor | None:
    return pager.cursor


async def newest(service_sid: str) -> str:
    async with Client("AC" + "0" * 32, "token") as client:
        pager = client.proxy.sessions.list(service_sid, limit=10)
        async for session in pager:
            record: dict[str, object] = to_dict(session)
            again: Session = from_dict(Session, record)
            status: str | None = again.status
            return json.dumps(record) + (status or "")
    return ""
"""

# The same program with one mistake a type checker must catch: a Session's sid is a str.
WRONG_PROGRAM = USER_PROGRAM.replace(
    "status: str | None = again.status",
    "status: str | None = again.status\n            count: int = again.sid",
)


def _borrowed_paths() -> list[str]:
    return [*site.getsitepackages(), site.getusersitepackages()]


def _fresh_env(tmp_path: Path) -> Path:
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    Path(purelib, "borrowed.pth").write_text("\n".join(_borrowed_paths()) + "\n")
    return python


def _mypy(python: Path, program: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-executable",
            str(python),
            "--cache-dir",
            str(program.parent / ".mypy_cache"),
            program.name,
        ],
        cwd=program.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_mypy_strict_follows_the_editable_install(tmp_path: Path) -> None:
    for needed in ("mypy", "hatchling", "editables"):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{needed} is not installed (the lint extra brings it)")
    python = _fresh_env(tmp_path)
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", *OFFLINE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr

    user_dir = tmp_path / "user"
    user_dir.mkdir()
    good = user_dir / "good.py"
    good.write_text(USER_PROGRAM)
    wrong = user_dir / "wrong.py"
    wrong.write_text(WRONG_PROGRAM)

    checked = _mypy(python, good)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Success: no issues found in 1 source file" in checked.stdout

    refused = _mypy(python, wrong)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        'Incompatible types in assignment (expression has type "str", variable has type "int")'
        in (refused.stdout)
    )
    assert "wrong.py:" in refused.stdout
    assert "Cannot find implementation" not in refused.stdout
