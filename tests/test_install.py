"""The installed dcalc, run as users run it: the console script and `python -m dcalc` as subprocesses, outside the
source tree. With a regular (non-editable) install, as .ci/run makes, the tests also prove it is a real one: the
package and its grammar come from site-packages, and nothing named cli or grammar was installed. A wheel built from
the package files alone contains the grammar and no top-level cli/ or grammar/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import dcalc

SOURCE = Path(__file__).resolve().parents[1]


def script() -> str:
    beside = Path(sys.executable).with_name("dcalc")
    found = str(beside) if beside.exists() else shutil.which("dcalc")
    assert found, "the console script dcalc is not installed"
    return found


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DCALC_DEBUG")}
    env["PYTHONSAFEPATH"] = "1"  # python -m: do not put the working directory on sys.path either
    return env


def run(tmp_path, *argv, stdin: str | None = None):
    return subprocess.run(list(argv), cwd=tmp_path, env=clean_env(), input=stdin, capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


COMMANDS = {"dcalc": lambda: [script()], "python -m dcalc": lambda: [sys.executable, "-m", "dcalc"]}


@pytest.fixture(params=sorted(COMMANDS))
def dcalc_cmd(request):
    return COMMANDS[request.param]()


def test_version(tmp_path, dcalc_cmd):
    r = run(tmp_path, *dcalc_cmd, "--version")
    assert (r.returncode, r.stdout, r.stderr) == (0, f"dcalc {dcalc.__version__}\n", "")


def test_help_shows_every_command_with_a_one_line_example(tmp_path, dcalc_cmd):
    r = run(tmp_path, *dcalc_cmd, "--help")
    assert r.returncode == 0 and r.stderr == ""
    import typer

    from dcalc.app import app
    names = list(typer.main.get_command(app).commands)
    assert "eval" in names
    lines = r.stdout.splitlines()
    for name in names:
        examples = [ln for ln in lines if ln.strip().startswith(f"dcalc {name} ")]
        assert len(examples) == 1, f"no one-line example of '{name}' in dcalc --help"


def test_eval(tmp_path, dcalc_cmd):
    r = run(tmp_path, *dcalc_cmd, "eval", "2x^2 + sin(pi/2)", "--at", "3")
    assert (r.returncode, r.stdout, r.stderr) == (0, "19\n", "")


def test_eval_reads_standard_input(tmp_path, dcalc_cmd):
    r = run(tmp_path, *dcalc_cmd, "eval", "-", "--at", "x=2", stdin="a = x^2  # a comment\r\na + x\r\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, "6\n", "")


def test_a_math_error_exits_1(tmp_path, dcalc_cmd):
    r = run(tmp_path, *dcalc_cmd, "eval", "ln(-1)")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "error: ln is undefined in ln(-1) (needs -1 > 0)\n")


def test_a_syntax_error_exits_2(tmp_path, dcalc_cmd):
    r = run(tmp_path, *dcalc_cmd, "eval", "2+*3")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == "error: unexpected '*' (expected a number, a name or '(')\n  2+*3\n    ^\n"


def test_a_usage_error_exits_2(tmp_path):
    r = run(tmp_path, script(), "eval", "x", "--bogus")
    assert (r.returncode, r.stdout) == (2, "") and r.stderr.startswith("error: No such option: --bogus")


PROBE = """
import importlib.util, json, sys
from importlib import metadata, resources
import dcalc
dist = metadata.distribution("dcalc")
lark = resources.files("dcalc.grammar").joinpath("dcalc.lark")
engine = ["dcalc.language.syntax", "dcalc.core.graph", "dcalc.modes.evaluate", "dcalc.modes.forward",
          "dcalc.modes.reverse", "dcalc.core.printing"]
for name in engine:
    importlib.import_module(name)
print(json.dumps({
    "cli": importlib.util.find_spec("cli") is not None,
    "grammar": importlib.util.find_spec("grammar") is not None,
    "lark": lark.is_file() and "%declare IMPLICIT" in lark.read_text(encoding="utf-8"),
    "file": dcalc.__file__,
    "typer": "typer" in sys.modules,
    "editable": json.loads(dist.read_text("direct_url.json") or "{}").get("dir_info", {}).get("editable", False),
    "files": [str(f) for f in dist.files or ()],
}))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    r = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path_factory.mktemp("probe"), env=clean_env(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_cli_and_grammar_are_not_importable_packages(probe):
    assert probe["cli"] is False and probe["grammar"] is False


def test_the_grammar_is_package_data_of_dcalc_grammar(probe):
    assert probe["lark"] is True


def test_the_engine_never_imports_typer(probe):
    assert probe["typer"] is False


def test_a_regular_install_runs_from_site_packages(probe):
    if probe["editable"]:
        pytest.skip("an editable install runs from the source tree; .ci/run makes a regular one")
    assert SOURCE not in Path(probe["file"]).resolve().parents


def test_a_regular_install_records_the_grammar_and_no_cli_or_grammar_package(probe):
    if probe["editable"]:
        pytest.skip("an editable install records no package files")
    assert "dcalc/grammar/dcalc.lark" in probe["files"]
    assert not [f for f in probe["files"] if f.split("/")[0] in ("cli", "grammar")]


def test_the_source_tree_has_the_promised_top_level():
    if not (SOURCE / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files"], cwd=SOURCE, capture_output=True, text=True, check=True).stdout
    top = {line.split("/")[0] for line in listed.splitlines()}
    allowed = {"pyproject.toml", "cli", "grammar", "tests", "README.md", "LICENSE"}
    assert {"pyproject.toml", "cli", "grammar", "tests", "README.md"} <= top
    assert not {t for t in top if t not in allowed and not t.startswith(".")}


@pytest.mark.skipif(os.environ.get("DCALC_SKIP_WHEEL") == "1", reason="DCALC_SKIP_WHEEL=1")
def test_the_wheel_holds_the_grammar_and_no_cli_or_grammar(tmp_path):
    # Build from a copy of what a release contains, so that the source tree gets no build/ of its own.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (SOURCE / name).exists():
            shutil.copy(SOURCE / name, src / name)
    for name in ("cli", "grammar"):
        shutil.copytree(SOURCE / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(tmp_path / "w")],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 and "Could not find a version that satisfies" in r.stdout + r.stderr:
        pytest.skip("no index to fetch the build backend from")
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp_path / "w").glob("dcalc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dcalc/grammar/dcalc.lark" in names
    assert "dcalc/__init__.py" in names and "dcalc/__main__.py" in names
    assert not [n for n in names if n.split("/")[0] in ("cli", "grammar")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "dcalc = dcalc.launch:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
