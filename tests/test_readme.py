# The README's usage example runs as printed, and the commands at its top are the ones CI
# runs: a newcomer pasting either gets what the README promises.
import pathlib

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def code_blocks(language):
    """The README's fenced blocks tagged ``language`` ("" for untagged), in order."""
    blocks, current, tag = [], None, None
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            if current is None:
                current, tag = [], line[3:].strip()
            else:
                if tag == language:
                    blocks.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_usage_example_runs_and_prints_what_the_readme_shows(capsys):
    example = code_blocks("python")[0]
    exec(compile(example, str(README), "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out
    shown = code_blocks("")[0]  # the untagged block right after the example
    assert printed.splitlines()[:2] == shown.splitlines()[:2]  # the Lasso lines
    assert "test accuracy:" in printed


def test_ci_runs_the_readme_test_command():
    commands = code_blocks("bash")[0].strip().splitlines()
    assert len(commands) == 2
    ci_script = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci_script.splitlines()
