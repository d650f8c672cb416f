"""docs/plugins.md documents every hook of core/hookspecs.py, and no hook that does not exist:
a ``### <hook>`` section each, naming every argument of the hook."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pluggy

from core import hookspecs

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def hook_arguments() -> dict[str, tuple[str, ...]]:
    """Each hook the plugin manager knows from ``core.hookspecs``, with its argument names."""
    pm = pluggy.PluginManager("gridgov")
    pm.add_hookspecs(hookspecs)
    hooks: dict[str, tuple[str, ...]] = {}
    for name in dir(pm.hook):
        if name.startswith("gridgov_"):
            spec = getattr(pm.hook, name).spec
            assert spec is not None, name
            hooks[name] = tuple(spec.argnames)
    return hooks


def sections(text: str) -> list[tuple[str, int, int]]:
    """``(heading, first line, end line)`` of each level-3 section: from its heading to the
    next heading of level 1 to 3. Lines inside fenced code blocks are never headings."""
    lines = text.splitlines()
    found: list[tuple[str, int, int]] = []
    current: tuple[str, int] | None = None
    fenced = False
    for number, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if heading is None or len(heading[1]) > 3:
            continue
        if current is not None:
            found.append((current[0], current[1], number))
            current = None
        if len(heading[1]) == 3:
            current = (heading[2].strip("` "), number)
    if current is not None:
        found.append((current[0], current[1], len(lines)))
    return found


def problems(text: str, hooks: dict[str, tuple[str, ...]]) -> list[str]:
    """What the page gets wrong about ``hooks`` (hook name → argument names); [] if nothing."""
    lines = text.splitlines()
    documented: dict[str, str] = {}
    out: list[str] = []
    for heading, start, end in sections(text):
        if not heading.startswith("gridgov_"):
            continue
        if heading not in hooks:
            out.append(f"### {heading}: no such hook in core/hookspecs.py")
        elif heading in documented:
            out.append(f"### {heading}: documented twice")
        else:
            documented[heading] = "\n".join(lines[start:end])
    for hook in sorted(set(hooks) - set(documented)):
        out.append(f"{hook}: undocumented (no '### {hook}' section)")
    for hook, body in sorted(documented.items()):
        for argument in hooks[hook]:
            if not re.search(rf"\b{re.escape(argument)}\b", body):
                out.append(f"{hook}: its section does not mention the argument {argument!r}")
    return out


def without_section(text: str, hook: str) -> str:
    """The page with the section of ``hook`` cut out."""
    lines = text.splitlines()
    for heading, start, end in sections(text):
        if heading == hook:
            return "\n".join(lines[:start] + lines[end:])
    raise AssertionError(f"no section {hook}")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, source)`` of each fenced ```python block."""
    blocks: list[tuple[int, str]] = []
    source: list[str] | None = None
    start = 0
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            if not fenced:
                fenced, start = True, number
                source = [] if line.strip().strip("`~").strip() == "python" else None
            else:
                fenced = False
                if source is not None:
                    blocks.append((start, "\n".join(source)))
                source = None
        elif source is not None:
            source.append(line)
    return blocks


def test_hooks_are_collected() -> None:
    hooks = hook_arguments()
    module = {
        name: tuple(inspect.signature(fn).parameters)
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("gridgov_")
    }
    assert hooks == module
    assert hooks["gridgov_startup"] == ("runtime",)


def test_every_hook_is_documented_and_only_hooks() -> None:
    found = problems(DOC.read_text(encoding="utf-8"), hook_arguments())
    assert found == [], "docs/plugins.md:\n" + "\n".join(found)


def test_a_missing_section_is_reported() -> None:
    text = DOC.read_text(encoding="utf-8")
    hooks = hook_arguments()
    hook = "gridgov_entity_changed"
    assert problems(without_section(text, hook), hooks) == [
        f"{hook}: undocumented (no '### {hook}' section)"
    ]


def test_an_unknown_hook_and_a_missing_argument_are_reported() -> None:
    page = "\n".join(
        [
            "# Plugins",
            "### gridgov_seen",
            "Receives `session`.",
            "```python",
            "### gridgov_in_code: a comment in a code block, not a heading",
            "```",
            "## Next part (not in the section): actor",
            "### gridgov_gone",
            "Removed long ago.",
        ]
    )
    assert problems(page, {"gridgov_seen": ("session", "actor")}) == [
        "### gridgov_gone: no such hook in core/hookspecs.py",
        "gridgov_seen: its section does not mention the argument 'actor'",
    ]


def test_python_blocks_compile() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = python_blocks(text)
    assert blocks
    for line, source in blocks:
        compile(source, f"docs/plugins.md, block at line {line}", "exec")
