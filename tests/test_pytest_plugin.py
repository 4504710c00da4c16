"""The pytest plugin as a user meets it: a throwaway project in a temp dir, no conftest, and
the fixtures found through the package's ``pytest11`` entry point, in a pytest subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

# A user's project: nothing here imports or names the plugin.
USER_TESTS = """
import pytest

from twilio_proxy_async import Client, RateLimitError
from twilio_proxy_async.testing import DemoData, Emulator, Faults

{pytestmark}

async def test_a_running_emulator_and_a_client_bound_to_it(twilio_emulator, twilio_client):
    assert isinstance(twilio_emulator, Emulator) and isinstance(twilio_client, Client)
    await twilio_client.proxy.services.create(unique_name="mine")
    assert [s["unique_name"] for s in twilio_emulator.snapshot()["services"]] == ["mine"]


async def test_each_test_gets_a_fresh_emulator(twilio_emulator):
    assert twilio_emulator.snapshot()["services"] == []
    with pytest.raises(RuntimeError, match="record_requests"):
        twilio_emulator.requests


@pytest.mark.twilio_emulator(demo=True, record_requests=True)
async def test_demo_data_and_recorded_requests(twilio_emulator, twilio_client):
    services = [s async for s in twilio_client.proxy.services.list()]
    assert len(services) == DemoData().services
    assert [r.path for r in twilio_emulator.requests] == ["/v1/Services"]


@pytest.mark.twilio_emulator(faults=Faults(rate_429=1.0))
@pytest.mark.twilio_client(max_retries=0)
async def test_faults_and_client_options(twilio_emulator, twilio_client):
    with pytest.raises(RateLimitError):
        await twilio_client.proxy.services.create(unique_name="throttled")
    assert twilio_emulator.stats.faults_injected == {{"rate_429": 1}}


@pytest.mark.parametrize(
    "twilio_emulator", [{{"demo": DemoData(services=3, sessions_per_service=0)}}], indirect=True
)
async def test_options_by_indirect_parametrization(twilio_client):
    assert len([s async for s in twilio_client.proxy.services.list()]) == 3
"""
PASSED = 5


def run_pytest(project: Path, asyncio_mode: str = "auto") -> subprocess.CompletedProcess[str]:
    """pytest on ``project`` as its owner would run it: its own ini, no conftest, no path
    into this repository, this interpreter (where the package is installed)."""
    (project / "pytest.ini").write_text(
        textwrap.dedent(
            f"""\
            [pytest]
            asyncio_mode = {asyncio_mode}
            asyncio_default_fixture_loop_scope = function
            filterwarnings = error
            addopts = --strict-markers
            """
        )
    )
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
        and not name.startswith("TWILIO_")
        and name != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(project)],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_plugin_is_registered_by_the_installation() -> None:
    registered = {e.name: e.value for e in entry_points(group="pytest11")}
    assert registered.get("twilio_proxy_async") == "twilio_proxy_async.pytest_plugin", (
        "reinstall the package (pip install -e .) so its pytest11 entry point is registered"
    )


@pytest.mark.parametrize("asyncio_mode", ["auto", "strict"])
def test_a_user_project_gets_the_fixtures_by_plugin_discovery(
    tmp_path: Path, asyncio_mode: str
) -> None:
    pytestmark = "pytestmark = pytest.mark.asyncio" if asyncio_mode == "strict" else ""
    (tmp_path / "test_users_app.py").write_text(USER_TESTS.format(pytestmark=pytestmark))
    finished = run_pytest(tmp_path, asyncio_mode)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert f"{PASSED} passed" in finished.stdout


def test_a_marker_with_positional_options_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_wrong.py").write_text(
        textwrap.dedent(
            """\
            import pytest

            @pytest.mark.twilio_emulator("demo")
            async def test_wrong(twilio_emulator):
                pass
            """
        )
    )
    finished = run_pytest(tmp_path)
    assert finished.returncode != 0
    assert "takes keyword options only" in finished.stdout + finished.stderr


def readme_block_after(heading: str) -> str:
    readme = Path(__file__).resolve().parents[1] / "README.md"
    section = readme.read_text().split(heading, 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_pytest_example_passes_as_a_user_project(tmp_path: Path) -> None:
    (tmp_path / "test_readme_example.py").write_text(readme_block_after("### With pytest"))
    finished = run_pytest(tmp_path)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "3 passed" in finished.stdout


def test_the_readme_sync_example_runs() -> None:
    namespace: dict[str, object] = {}
    exec(compile(readme_block_after("### From sync code"), "README.md", "exec"), namespace)
    assert len(namespace["services"]) == 1  # type: ignore[arg-type]
    assert str(namespace["settings"]["TWILIO_BASE_URL"]).startswith("http://127.0.0.1:")  # type: ignore[index]


def test_the_readme_retry_waits_example_passes_as_a_user_project(tmp_path: Path) -> None:
    example = textwrap.dedent(readme_block_after("- `instant_retry_waits(client)`"))
    (tmp_path / "test_readme_retry_waits.py").write_text(example)
    finished = run_pytest(tmp_path)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "1 passed" in finished.stdout
