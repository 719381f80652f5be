import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_domain_apps_do_not_import_pages_or_api():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_linted_and_formatted():
    ruff = str(Path(sys.executable).with_name("ruff"))
    for command in (
        [ruff, "check", "src", "tests", "bench"],
        [ruff, "format", "--check", "src", "tests", "bench"],
    ):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
