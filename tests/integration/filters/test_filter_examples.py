"""Every filter and test example that shows its result (``# => ...``) gives that result in a real playbook run.

An example's inputs come from its task vars and from comments such as ``# ver_result.stdout: "..."``; the
shown result is JSON, where ``...`` stands for more keys or items, or, at the end of a string, for more text.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
import yaml
from playbook_runner import REPO_ROOT, PlaybookRun, run_playbook

DOC_FILES = sorted([*REPO_ROOT.glob("plugins/filter/*.yml"), *REPO_ROOT.glob("plugins/test/*.yml")])
MORE = "..."


def comment_statements(block: str) -> dict[str, str]:
    """``# name: value`` and ``# => value`` comments of one example; lines indented further continue them."""
    statements: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in block.splitlines():
        text = line.strip()
        if not text.startswith("#"):
            current = None
            continue
        body = text[1:]
        if current is not None and body.startswith("  "):
            current.append(body.strip())
            continue
        key, _sep, value = body.strip().partition(" " if body.strip().startswith("=>") else ": ")
        current = statements.setdefault(key.strip(), [value.strip()])
    return {key: " ".join(part for part in parts if part) for key, parts in statements.items()}


def nested(path: str, value: Any) -> dict[str, Any]:
    """``{'a': {'b': value}}`` for ``a.b``."""
    for key in reversed(path.split(".")):
        value = {key: value}
    return value


def input_value(name: str, text: str) -> Any:
    """An input comment's value: JSON, except that a command's output is the text itself."""
    value = json.loads(text)
    return text if name.endswith((".stdout", ".stderr")) and not isinstance(value, str) else value


def parse_shown(text: str) -> Any:
    """The shown result as JSON, a standalone ``...`` kept as a marker; ValueError when it is not JSON."""
    out: list[str] = []
    stack: list[str] = []
    in_string = escaped = False
    position = 0
    while position < len(text):
        char = text[position]
        if in_string:
            in_string = escaped or char != '"'
            escaped = not escaped and char == "\\"
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
        elif text.startswith(MORE, position):
            out.append(f'"{MORE}": "{MORE}"' if stack and stack[-1] == "{" else f'"{MORE}"')
            position += len(MORE)
            continue
        out.append(char)
        position += 1
    return json.loads("".join(out))


def matches(shown: Any, actual: Any) -> bool:
    """Whether ACTUAL is what SHOWN says, reading ``...`` as "and more"."""
    if isinstance(shown, dict):
        partial = shown.get(MORE) == MORE
        keys = [key for key in shown if key != MORE]
        if not isinstance(actual, dict) or (not partial and set(keys) != set(actual)):
            return False
        return all(key in actual and matches(shown[key], actual[key]) for key in keys)
    if isinstance(shown, list):
        partial = bool(shown) and shown[-1] == MORE
        items = shown[:-1] if partial else shown
        if not isinstance(actual, list) or len(actual) < len(items) or (not partial and len(actual) != len(items)):
            return False
        return all(matches(s, a) for s, a in zip(items, actual))
    if isinstance(shown, str) and shown.endswith(MORE) and len(shown) > len(MORE):
        return isinstance(actual, str) and actual.startswith(shown[: -len(MORE)].rstrip())
    return bool(shown == actual and type(shown) is type(actual))


def examples() -> list[dict[str, Any]]:
    """The examples that show their result as JSON, each as a task of the generated playbook."""
    found = []
    for path in DOC_FILES:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        blocks = re.split(r"(?m)^(?=- name: )", doc["EXAMPLES"])
        for block in filter(str.strip, blocks):
            statements = comment_statements(block)
            try:
                shown = parse_shown(statements.pop("=>"))
            except (KeyError, ValueError):
                continue
            (task,) = yaml.safe_load(block)
            module = next(key for key in task if key.startswith("ansible.builtin."))
            args = task[module]
            expression = args["msg"] if module.endswith("debug") else next(iter(args.values()))
            task_vars = dict(task.get("vars") or {})
            for name, value in statements.items():
                task_vars = {**task_vars, **nested(name, input_value(name, value))}
            found.append(
                {
                    "id": f"{path.name}: {task['name']}",
                    "shown": shown,
                    "task": {
                        "name": f"{path.name}: {task['name']}",
                        "ansible.builtin.debug": {"msg": expression},
                        "vars": task_vars,
                    },
                }
            )
    return found


EXAMPLES = examples()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> PlaybookRun:
    play = [
        {
            "name": "Filter examples",
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "tasks": [example["task"] for example in EXAMPLES],
        }
    ]
    playbook = tmp_path_factory.mktemp("examples") / "examples.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
    result = run_playbook(playbook, extra_vars={"ansible_python_interpreter": sys.executable})
    assert result.returncode == 0, result.explain()
    return result


def test_most_examples_are_checked() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["id"] for example in EXAMPLES])
def test_example_gives_the_result_it_shows(run: PlaybookRun, example: dict[str, Any]) -> None:
    actual = run.result(example["task"]["name"])["msg"]
    assert matches(example["shown"], actual), f"shown: {example['shown']}\nactual: {json.dumps(actual)}"
