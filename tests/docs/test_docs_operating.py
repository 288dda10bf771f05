"""docs/operating.md and deploy/ stay true: every `drip …` command the page shows exists with
its options, every setting is on the page, the README links it, the example drip.env holds
real settings that load, and the systemd units parse (systemd-analyze verify, where the machine
has it) and keep the promises the page makes about them."""

from __future__ import annotations

import configparser
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from docs_text import README, REPO, drip_commands, readme_blocks, resolve, unknown_options

from drip import config, mail_url
from drip.cli import main

OPERATING = REPO / "docs" / "operating.md"
TEXT = OPERATING.read_text(encoding="utf-8")
DEPLOY = REPO / "deploy"
ENV_FILE = DEPLOY / "drip.env"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
DRIP = "/opt/drip/venv/bin/drip"
SHOWN = [
    (f"docs/operating.md:{block.line + 1 + n}", args)
    for block in readme_blocks(TEXT)
    if block.language in ("", "sh", "bash", "shell", "console")
    for n, line in enumerate(block.lines)
    for args in drip_commands(line)
]


def test_the_page_shows_drip_commands() -> None:
    """Guards the test below against a parser that finds nothing."""
    assert len(SHOWN) >= 8
    shown = {" ".join(resolve(args)[0]) for _, args in SHOWN}
    assert {"doctor", "db upgrade", "secret new", "status"} <= shown


@pytest.mark.parametrize(("where", "args"), SHOWN, ids=[f"{w} {' '.join(a)}" for w, a in SHOWN])
def test_every_drip_command_on_the_page_exists_with_its_options(
    where: str, args: list[str]
) -> None:
    try:
        path, command, rest = resolve(args)
    except LookupError as exc:
        pytest.fail(f"{where}: {exc}")
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, f"{where}: drip {' '.join(path)} --help\n{result.output}"
    unknown = unknown_options(command, rest)
    assert not unknown, f"{where}: drip {' '.join(path)} has no option {unknown}"


def test_every_setting_is_on_the_page() -> None:
    missing = [s.variable for s in config.SETTINGS if f"`{s.variable}`" not in TEXT]
    assert not missing, f"docs/operating.md does not mention {missing}"


def test_the_settings_table_gives_the_real_defaults() -> None:
    settings = {s.variable: s for s in config.SETTINGS}
    rows = re.findall(r"^\| `(DRIP_[A-Z_]+)` \| `([^`]*)` \|", TEXT, re.MULTILINE)
    assert len(rows) >= 10
    for variable, default in rows:
        if settings[variable].default:  # an empty one is described: `host:pid`, `clinic.base_url`
            assert default == settings[variable].default, f"default of {variable}"


def test_every_drip_setting_named_in_the_page_and_the_deploy_files_exists() -> None:
    real = {s.variable for s in config.SETTINGS} | {"DRIP_CONFIG"}
    for where in (OPERATING, ENV_FILE, *UNITS):
        named = set(re.findall(r"\bDRIP_[A-Z_]+[A-Z]\b", where.read_text(encoding="utf-8")))
        assert named <= real, f"{where.name} names {sorted(named - real)}, which drip does not read"


def test_every_module_the_page_names_exists() -> None:
    files = {"drip.env", "drip.db", "drip.toml", "drip.dump", "drip.pem"}  # named, not modules
    named = set(re.findall(r"`(drip(?:\.[a-z_]+)+)`", TEXT)) - files
    assert "drip.mailer.signing" in named
    for dotted in named:
        importlib.import_module(dotted)


def test_the_readme_links_the_page_as_operating_drip() -> None:
    assert "[Operating drip](docs/operating.md)" in README.read_text(encoding="utf-8")


def test_the_page_leaves_health_and_metrics_to_be_filled_in() -> None:
    assert re.search(r"^### Health and metrics\n\n.+", TEXT, re.MULTILINE)


# --- deploy/drip.env --------------------------------------------------------------------------


def env_file() -> dict[str, str]:
    """deploy/drip.env as systemd reads it: KEY=value lines, `#` comments."""
    values = {}
    for number, line in enumerate(ENV_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"DRIP_[A-Z_]+", key), f"drip.env:{number}: {line!r}"
        assert value == value.strip() and not value.startswith(('"', "'")), f"drip.env:{number}"
        values[key] = value
    return values


def test_the_example_settings_load() -> None:
    values = env_file()
    # the key files are the operator's to make; everything else must load as written
    loadable = {k: v for k, v in values.items() if not k.endswith("_FILE") and "DKIM" not in k}
    cfg = config.load(loadable)
    assert cfg.smtp_url.kind is mail_url.Kind.SMTP
    assert {"DRIP_DKIM_SELECTOR", "DRIP_DKIM_DOMAIN", "DRIP_DKIM_PRIVATE_KEY_FILE"} <= set(values)


# --- deploy/systemd ---------------------------------------------------------------------------


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_there_is_a_unit_for_drip_run_and_for_drip_serve() -> None:
    commands = {unit(p)["Service"]["ExecStart"].split()[1] for p in UNITS}
    assert commands == {"run", "serve"}
    assert [p.name for p in UNITS] == ["drip-run@.service", "drip-serve.service"]


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_a_unit_keeps_what_the_page_says_of_it(path: Path) -> None:
    parsed = unit(path)
    assert parsed.sections() == ["Unit", "Service", "Install"]
    service = parsed["Service"]
    assert (service["User"], service["Group"]) == ("drip", "drip")
    assert service["EnvironmentFile"] == "/etc/drip/drip.env"
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert service[key] == "yes", key
    assert service["ProtectSystem"] == "strict"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    writable = service["ReadWritePaths"].split()
    sqlite = urlsplit(env_file()["DRIP_DATABASE_URL"]).path.removeprefix("/")
    assert any(Path(sqlite).is_relative_to(folder) for folder in writable), sqlite
    assert Path(service["WorkingDirectory"]).as_posix() in writable


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_a_unit_waits_longer_than_one_send_before_killing(path: Path) -> None:
    smtp = mail_url.parse(env_file()["DRIP_SMTP_URL"]).smtp
    assert smtp is not None
    stop = unit(path)["Service"]["TimeoutStopSec"]
    assert stop.endswith("s") and float(stop[:-1]) > smtp.timeout + 5, stop


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_a_unit_runs_a_real_drip_command(path: Path) -> None:
    program, *args = unit(path)["Service"]["ExecStart"].split()
    assert program == DRIP
    _, command, rest = resolve(args)
    assert not unknown_options(command, rest)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_systemd_accepts_the_unit(path: Path, tmp_path: Path) -> None:
    """`systemd-analyze verify` warns of every unknown key or bad value; the unit's program
    is pointed at this drip (the one in /opt does not exist here)."""
    copy = tmp_path / path.name
    here = str(Path(sys.executable).parent / "drip")
    copy.write_text(path.read_text(encoding="utf-8").replace(DRIP, here), encoding="utf-8")
    target = tmp_path / path.name.replace("@.", "@1.")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr
