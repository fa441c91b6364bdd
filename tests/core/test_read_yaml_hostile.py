"""Hostile or sloppy stack files end in one `SpecError` naming the line, never in a traceback,
and what loads is plain JSON data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpudc.core.errors import SpecError
from gpudc.core.project import read_yaml

QUOTE = "quote it to make it a string"
KEY = "mapping keys must be strings; quote the key"


def _write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _refusal(tmp_path: Path, content: str | bytes) -> str:
    """The one message `read_yaml` gives for `content`, checked to name the file."""
    path = _write(tmp_path, content)
    with pytest.raises(SpecError) as caught:
        read_yaml(path)
    [issue] = caught.value.issues
    assert issue.path == str(path)
    return issue.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: 1\ncity: Montréal\n".encode("latin-1"), "byte 0xe9 at offset 16, line 2"),
        ("a: 1\n".encode("utf-16"), "byte 0xff at offset 0, line 1"),  # with its BOM
        ("a: 1\n".encode("utf-16-be"), "byte 0x00 at offset 0, line 1"),
        (b"a: 1\nb: 2\nc: 3\nd: \x80\n", "byte 0x80 at offset 18, line 4"),
        (
            b"\xef\xbb\xbfa: \xc3\n",
            "byte 0xc3 at offset 6, line 1",
        ),  # truncated sequence; offset counts the BOM
        (b"a: \xed\xa0\x80\n", "byte 0xed at offset 3, line 1"),  # an encoded surrogate
        (b"a: 1\nb: \x00\n", "byte 0x00 at offset 8, line 2"),  # UTF-8, but no text file holds NUL
    ],
)
def test_text_must_be_utf8(tmp_path: Path, content: bytes, message: str) -> None:
    assert _refusal(tmp_path, content) == f"is not UTF-8 text ({message}); save the file as UTF-8"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "line 3, column 1: key 'a' is repeated (first at line 1); keep one"),
        (
            "config:\n  sites:\n    - name: x\n      nodes: 1\n      name: y\n",
            "line 5, column 7 (config.sites[0]): key 'name' is repeated (first at line 3); keep one",
        ),
        ("a: {b: 1, 'b': 2}\n", "line 1, column 11 (a): key 'b' is repeated (first at line 1); keep one"),
        ('"k": 1\nk: 2\n', "line 2, column 1: key 'k' is repeated (first at line 1); keep one"),
    ],
)
def test_duplicate_keys_are_refused(tmp_path: Path, content: str, message: str) -> None:
    assert _refusal(tmp_path, content) == message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: 1\n<<: {b: 2}\n", "line 2, column 1: "),
        ("a:\n  x: 1\n  <<: [{b: 2}]\n", "line 3, column 3 (a): "),
        ("a:\n  !!merge b: {c: 1}\n", "line 2, column 3 (a): "),
    ],
)
def test_merge_keys_are_refused(tmp_path: Path, content: str, message: str) -> None:
    assert _refusal(tmp_path, content) == f"{message}merge keys (<<) are not allowed; write the keys out"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("n: " + "9" * 4301, f"'{'9' * 59}…' is not a whole number of at most 4,300 digits; {QUOTE}"),
        ("n: 0x" + "f" * 4000, f"'0x{'f' * 57}…' is not a whole number of at most 4,300 digits; {QUOTE}"),
        ("n: !!int abc", "'abc' is not a whole number of at most 4,300 digits; remove the !!int tag"),
        ("n: !!int ''", "'' is not a whole number of at most 4,300 digits; remove the !!int tag"),
        ("n: !!int 0x", "'0x' is not a whole number of at most 4,300 digits; remove the !!int tag"),
        ("n: !!float abc", "'abc' is not a number; remove the !!float tag"),
        ("n: !!float ''", "'' is not a number; remove the !!float tag"),
        ("n: !!bool maybe", "'maybe' is not true or false; remove the !!bool tag"),
        ("n: 2024-02-30", f"'2024-02-30' is a YAML date; {QUOTE}"),
        ("n: 2024-01-01 10:00:00", f"'2024-01-01 10:00:00' is a YAML date and time; {QUOTE}"),
        ("n: !!timestamp abc", "'abc' is a YAML date; remove the !!timestamp tag"),
        ("n: 12:30", f"'12:30' is a YAML 1.1 base-60 number; {QUOTE}"),
        ("n: 1:30.5", f"'1:30.5' is a YAML 1.1 base-60 number; {QUOTE}"),
        ("n: !foo x", "the tag !foo is not allowed in stack files; remove it"),
        ("n: !foo {a: 1}", "the tag !foo is not allowed in stack files; remove it"),
        (
            "n: !!python/object/apply:os.system [echo hi]",
            "the tag !!python/object/apply:os.system is not allowed in stack files; remove it",
        ),
        ("n: !!seq x", "the tag !!seq does not fit a scalar; remove the tag"),
        ("n: !!map x", "the tag !!map does not fit a scalar; remove the tag"),
        ("n: !!str [x]", "the tag !!str does not fit a list; remove the tag"),
        ("n: !!int {a: 1}", "the tag !!int does not fit a mapping; remove the tag"),
        ("n: !!timestamp [1]", "the tag !!timestamp does not fit a list; remove the tag"),
    ],
)
def test_scalars_pyyaml_cannot_build_are_refused(tmp_path: Path, content: str, message: str) -> None:
    assert _refusal(tmp_path, f"a: 1\nb:\n  {content}\n") == f"line 3, column 6 (b.n): {message}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # The value the brief names: a date deep in a real stack file.
        (
            "config:\n  env:\n    sites:\n      - location:\n          city: 2024-01-01\n",
            f"line 5, column 17 (config.env.sites[0].location.city): '2024-01-01' is a YAML date; {QUOTE}",
        ),
        (
            "- [x, 2024-01-01T10:00:00Z]\n",
            f"line 1, column 7 ([0][1]): '2024-01-01T10:00:00Z' is a YAML date and time; {QUOTE}",
        ),
        (
            "a: !!binary aGk=\n",
            "line 1, column 4 (a): the tag !!binary builds a value JSON cannot hold; remove it to keep the base64 text as a string",
        ),
        (
            "a: !!set {x, y}\n",
            "line 1, column 4 (a): the tag !!set builds a value JSON cannot hold; write a list instead",
        ),
        (
            "a: !!omap [{x: 1}]\n",
            "line 1, column 4 (a): the tag !!omap builds a value JSON cannot hold; write a plain mapping instead",
        ),
        (
            "a: !!pairs [{x: 1}]\n",
            "line 1, column 4 (a): the tag !!pairs builds a value JSON cannot hold; write a plain mapping instead",
        ),
        ("2024-01-01\n", f"line 1, column 1: '2024-01-01' is a YAML date; {QUOTE}"),  # the whole document
    ],
)
def test_values_json_cannot_hold_are_refused(tmp_path: Path, content: str, message: str) -> None:
    assert _refusal(tmp_path, content) == message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1: x\n", f"line 1, column 1: key '1' is not a string (!!int); {KEY}"),
        ("a:\n  true: x\n", f"line 2, column 3 (a): key 'true' is not a string (!!bool); {KEY}"),
        ("null: x\n", f"line 1, column 1: key 'null' is not a string (!!null); {KEY}"),
        ("~: x\n", f"line 1, column 1: key '~' is not a string (!!null); {KEY}"),
        ("?\n: x\n", f"line 1, column 2: key '' is not a string (!!null); {KEY}"),
        ("1.5: x\n", f"line 1, column 1: key '1.5' is not a string (!!float); {KEY}"),
        ("2024-01-01: x\n", f"line 1, column 1: key '2024-01-01' is not a string (!!timestamp); {KEY}"),
        ("? [a]\n: x\n", f"line 1, column 3: key a list is not a string (!!seq); {KEY}"),
        ("{? {a: 1}: x}\n", f"line 1, column 4: key a mapping is not a string (!!map); {KEY}"),
        ("!!binary aGk=: x\n", f"line 1, column 1: key 'aGk=' is not a string (!!binary); {KEY}"),
    ],
)
def test_keys_must_be_strings(tmp_path: Path, content: str, message: str) -> None:
    assert _refusal(tmp_path, content) == message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: b\x07c\n", "line 1, column 5: holds the character \\x07, which YAML does not allow; remove it"),
        (
            "a: 1\nb: \x1b[32mok\n",
            "line 2, column 4: holds the character \\x1b, which YAML does not allow; remove it",
        ),
        (
            "a:\n\tb: 1\n",
            "is not valid YAML: line 2, column 1: found character that cannot start any token"
            " (while scanning for the next token at line 2, column 1)",
        ),
    ],
)
def test_characters_yaml_refuses(tmp_path: Path, content: str, message: str) -> None:
    assert _refusal(tmp_path, content) == message


@pytest.mark.parametrize(
    ("content", "echoed"),
    [
        ('a: !!int "\\e[32mgreen"\n', "'\\x1b[32mgreen' is not a whole number"),
        ('"\\e[31m": 1\n"\\e[31m": 2\n', "key '\\x1b[31m' is repeated"),
        ('"\\u202e": 1\n"\\u202e": 2\n', "key '\\u202e' is repeated"),  # a bidi override
        ('"a\\nb": 1\n"a\\nb": 2\n', "key 'a\\nb' is repeated"),
        ("a: !<%1b%5b32m> x\n", "the tag \\x1b[32m is not allowed"),
        ('"\\e[31m": 2024-01-01\n', "'2024-01-01' is a YAML date"),  # the key is echoed in the path
        ("\\e[31m: 1\n\\e[31m: 2\n", "key '\\\\e[31m' is repeated"),  # backslashes in plain text stay
    ],
)
def test_echoed_text_is_safe_to_print(tmp_path: Path, content: str, echoed: str) -> None:
    with pytest.raises(SpecError) as caught:
        read_yaml(_write(tmp_path, content))
    message = caught.value.issues[0].message
    assert echoed.replace("\\\\", "\\") in message
    assert message.isprintable()
    assert str(caught.value).replace("\n", "").isprintable()


def test_echoed_text_is_clipped(tmp_path: Path) -> None:
    long = "k" * 500
    message = _refusal(tmp_path, f"{long}: 1\n{long}: 2\n")
    assert message == f"line 2, column 1: key '{'k' * 59}…' is repeated (first at line 1); keep one"


def test_long_keys_in_the_path_are_clipped(tmp_path: Path) -> None:
    message = _refusal(tmp_path, f"{'k' * 500}:\n  when: 2024-01-01\n")
    assert message.startswith("line 2, column 9 (")
    assert message.endswith(f".when): '2024-01-01' is a YAML date; {QUOTE}")
    assert f"{'k' * 59}…" in message
    assert "k" * 60 not in message


# --- Anything at all: a value JSON can hold, or a SpecError ------------------------------------------

_TOKENS = [
    "\n",
    "  ",
    "- ",
    ": ",
    "? ",
    ",",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "#",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!str ",
    "!!binary ",
    "!!set ",
    "!!omap ",
    "!!timestamp ",
    "!!seq ",
    "!!map ",
    "!!null ",
    "!foo ",
    "!<%1b> ",
    "a",
    "key",
    "=",
    "~",
    "null",
    "yes",
    "0x1f",
    "0o7",
    "1:30",
    "12345",
    "1e3",
    ".inf",
    ".nan",
    "2024-01-01",
    "2024-02-30 10:00",
    "é",
    "\x1b",
    "\\e",
    "\t",
    "\r",
]
_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _is_json(value: Any) -> bool:
    if type(value) in (str, int, float, bool) or value is None:
        return True
    if type(value) is list:
        return all(_is_json(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _is_json(item) for key, item in value.items())
    return False


def _loads_as_json_or_refuses(path: Path) -> None:
    try:
        value = read_yaml(path)
    except SpecError as exc:
        assert str(exc).replace("\n", "").isprintable()
        return
    assert _is_json(value), value
    json.dumps(value)  # and it really serializes (no 5,000-digit ints)


@_SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes(tmp_path: Path, content: bytes) -> None:
    _loads_as_json_or_refuses(_write(tmp_path, content))


@_SETTINGS
@given(st.text(max_size=2000))
def test_any_text(tmp_path: Path, content: str) -> None:
    _loads_as_json_or_refuses(_write(tmp_path, content))


@_SETTINGS
@given(st.lists(st.sampled_from(_TOKENS), max_size=200).map("".join))
def test_any_yaml_shaped_text(tmp_path: Path, content: str) -> None:
    _loads_as_json_or_refuses(_write(tmp_path, content))
