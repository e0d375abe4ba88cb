"""The command line answers --help without importing the heavy libraries."""
import subprocess
import sys


def test_help_is_quick_and_names_run():
    out = subprocess.run([sys.executable, "-c",
                          "import sys; from flows.commands.cli import main; main(['--help'])"],
                         capture_output=True, text=True)
    assert "run" in out.stdout
    probe = subprocess.run([sys.executable, "-c",
                            "import sys; import flows.commands.cli; "
                            "print(any(m in sys.modules for m in ('prefect', 'great_expectations', 'trafilatura')))"],
                           capture_output=True, text=True)
    assert probe.stdout.strip() == "False"
