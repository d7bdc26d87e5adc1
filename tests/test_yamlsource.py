"""Tests of raci_gen.input.yamlsource: YAML text in, plain data with 1-based positions out."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
import time

import pytest

from raci_gen.input import yamlsource
from raci_gen.model.errors import InputError
from raci_gen.model.matrix import Location
from raci_gen.input.yamlsource import parse, read_text


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def problems_of(text: str, file: str = "f.yaml") -> list[str]:
    with pytest.raises(InputError) as info:
        parse(text, file)
    return [str(p) for p in info.value.problems]


# ----------------------------------------------------------------------------
# Data and positions

def test_positions_of_values_and_keys_are_one_based():
    located = parse(dedent("""
        roles:
          - id: R1
            name: Owner
          - {id: R2, name: "Data Scientist"}
        """), "roles.yaml")
    assert located.data == {"roles": [{"id": "R1", "name": "Owner"}, {"id": "R2", "name": "Data Scientist"}]}
    assert located.values[()] == Location("roles.yaml", 1, 1)
    assert located.keys[("roles",)] == Location("roles.yaml", 1, 1)
    assert located.values[("roles",)] == Location("roles.yaml", 2, 3)
    assert located.values[("roles", 0)] == Location("roles.yaml", 2, 5)
    assert located.keys[("roles", 0, "id")] == Location("roles.yaml", 2, 5)
    assert located.values[("roles", 0, "id")] == Location("roles.yaml", 2, 9)
    assert located.values[("roles", 0, "name")] == Location("roles.yaml", 3, 11)
    assert located.values[("roles", 1)] == Location("roles.yaml", 4, 5)
    assert located.keys[("roles", 1, "name")] == Location("roles.yaml", 4, 14)
    assert located.values[("roles", 1, "name")] == Location("roles.yaml", 4, 20)


def test_at_falls_back_to_the_nearest_enclosing_value():
    located = parse("a:\n  b: 1\n", "f.yaml")
    assert located.at(("a", "b")) == Location("f.yaml", 2, 6)
    assert located.at(("a", "missing", 3)) == Location("f.yaml", 2, 3)
    assert located.at(("nothing",)) == Location("f.yaml", 1, 1)
    assert located.key_at(("a", "b")) == Location("f.yaml", 2, 3)
    assert located.key_at(("a", "missing")) == Location("f.yaml", 2, 3)


def test_crlf_line_endings_count_lines_right():
    located = parse("a: 1\r\nb:\r\n  c: x\r\n", "f.yaml")
    assert located.data == {"a": 1, "b": {"c": "x"}}
    assert located.values[("b", "c")] == Location("f.yaml", 3, 6)


@pytest.mark.parametrize("text", [
    pytest.param("", id="empty"),
    pytest.param("# only a comment\n", id="comment-only"),
    pytest.param("\n\n   \n", id="blank-lines"),
])
def test_nothing_is_none(text):
    located = parse(text, "f.yaml")
    assert located.data is None
    assert located.at(()) == Location("f.yaml", 1, 1)


def test_an_empty_document_is_none():
    assert parse("---\n...\n", "f.yaml").data is None


@pytest.mark.parametrize(("text", "value"), [
    pytest.param("a: text", "text", id="text"),
    pytest.param("a: '1'", "1", id="quoted-number"),
    pytest.param("a: !!str 12", "12", id="str-tag"),
    pytest.param("a: 12", 12, id="int"),
    pytest.param("a: 1_000", 1000, id="int-underscore"),
    pytest.param("a: 0x1F", 31, id="int-hex"),
    pytest.param("a: 1.5", 1.5, id="float"),
    pytest.param("a: yes", True, id="yes"),
    pytest.param("a: Off", False, id="off"),
    pytest.param("a: ~", None, id="tilde"),
    pytest.param("a:", None, id="empty-value"),
    pytest.param("a: 2024-03-01", dt.date(2024, 3, 1), id="date"),
    pytest.param("a: 2024-03-01 10:30:00", dt.datetime(2024, 3, 1, 10, 30), id="datetime"),
    pytest.param("a: 2024-13-01", "2024-13-01", id="impossible-date-stays-text"),
    pytest.param("a: !!int abc", "abc", id="bad-int-tag-stays-text"),
    pytest.param("a: " + "9" * 5000, "9" * 5000, id="int-too-long-stays-text"),
    pytest.param("a: A/R", "A/R", id="letters"),
])
def test_scalars(text, value):
    data = parse(text + "\n", "f.yaml").data
    assert data == {"a": value}
    assert type(data["a"]) is type(value)


def test_small_aliases_are_expanded():
    located = parse("base: &b {x: 1}\nother: *b\n", "f.yaml")
    assert located.data == {"base": {"x": 1}, "other": {"x": 1}}


def test_text_and_number_keys_are_different_keys():
    assert parse("'1': a\n1: b\n", "f.yaml").data == {"1": "a", 1: "b"}


# ----------------------------------------------------------------------------
# What the walker refuses

@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "a: 1\nb: 2\na: 3\n",
        ["f.yaml:3:1: error: key 'a' is given twice (first at line 1); keep one"],
        id="duplicate-top-level"),
    pytest.param(
        "a:\n  x: 1\n  x: 2\n  x: 3\n",
        ["f.yaml:3:3: error: key 'x' is given twice (first at line 2); keep one",
         "f.yaml:4:3: error: key 'x' is given twice (first at line 2); keep one"],
        id="duplicate-three-times"),
    pytest.param(
        "a: {x: 1, y: 2, x: 3}\nb: 1\nb: 2\n",
        ["f.yaml:1:17: error: key 'x' is given twice (first at line 1); keep one",
         "f.yaml:3:1: error: key 'b' is given twice (first at line 2); keep one"],
        id="duplicates-in-two-mappings"),
    pytest.param(
        "a: !!python/object:os.system {}\n",
        ["f.yaml:1:4: error: YAML tag '!!python/object:os.system' is not allowed; "
         "only plain text, numbers, lists and mappings are"],
        id="python-object"),
    pytest.param(
        "a: !!python/name:os.system\n",
        ["f.yaml:1:4: error: YAML tag '!!python/name:os.system' is not allowed; "
         "only plain text, numbers, lists and mappings are"],
        id="python-name"),
    pytest.param(
        "? !!python/object/apply:os.system [ls]\n: x\n",
        ["f.yaml:1:3: error: YAML tag '!!python/object/apply:os.system' is not allowed; "
         "only plain text, numbers, lists and mappings are"],
        id="python-tag-on-key"),
    pytest.param(
        "!!python/str a: x\n",
        ["f.yaml:1:1: error: YAML tag '!!python/str' is not allowed; "
         "only plain text, numbers, lists and mappings are"],
        id="python-tag-on-plain-key"),
    pytest.param(
        "a: !!binary aGk=\nb: !custom x\nc: !!set {x}\n",
        ["f.yaml:1:4: error: YAML tag '!!binary' is not allowed; only plain text, numbers, lists and mappings are",
         "f.yaml:2:4: error: YAML tag '!custom' is not allowed; only plain text, numbers, lists and mappings are",
         "f.yaml:3:4: error: YAML tag '!!set' is not allowed; only plain text, numbers, lists and mappings are"],
        id="other-tags-all-reported"),
    pytest.param(
        "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
        ["f.yaml:3:3: error: YAML merge keys ('<<') are not supported"],
        id="merge-key"),
    pytest.param(
        "? [a, b]\n: c\n",
        ["f.yaml:1:3: error: a mapping key must be plain text"],
        id="list-as-key"),
    pytest.param(
        "a: &x [*x]\n",
        ["f.yaml:1:4: error: this value contains itself through an alias; that is not allowed"],
        id="recursive-alias"),
])
def test_refused(text, expected):
    assert problems_of(text) == expected


def test_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    start = time.process_time()  # CPU: a bound on runaway work, not a speed test
    found = problems_of("\n".join(lines) + "\n")
    assert time.process_time() - start < 10
    # a5 (line 6) is the smallest value that expands to more than 200,000 values.
    assert found == ["f.yaml:6:5: error: too many values: this expands to more than 200,000 "
                     "(each use of an alias counts); it is refused"]


def test_value_limit_boundary(monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_NODES", 5)
    assert parse("a: [1, 2, 3]\n", "f.yaml").data == {"a": [1, 2, 3]}  # 5 values: the mapping, the list, 3 items
    assert problems_of("a: [1, 2, 3, 4]\n") == [
        "f.yaml:1:1: error: too many values: this expands to more than 5 (each use of an alias counts); it is refused"]


def test_depth_limit_boundary():
    deepest = "a: " + "[" * 64 + "]" * 64 + "\n"
    located = parse(deepest, "f.yaml")
    assert located.values[("a",) + (0,) * 63] == Location("f.yaml", 1, 67)
    too_deep = "a: " + "[" * 65 + "]" * 65 + "\n"
    assert problems_of(too_deep) == ["f.yaml:1:68: error: nesting is too deep (limit 64 levels)"]


@pytest.mark.parametrize(("text", "where"), [
    # Each points at the first value 65 levels deep.
    pytest.param("a: " + "[" * 10_000 + "]" * 10_000 + "\n", "1:68", id="flow-lists"),
    pytest.param("a: " + "{b: " * 10_000 + "}" * 10_000 + "\n", "1:257", id="flow-mappings"),  # a key
    pytest.param("- " * 10_000 + "x\n", "1:131", id="block-lists-on-one-line"),
    pytest.param("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 10_000)), "65:129", id="block-mappings"),
])
def test_deep_nesting_is_a_clean_error(text, where):
    start = time.process_time()  # CPU: a bound on runaway work, not a speed test
    found = problems_of(text)
    assert time.process_time() - start < 10
    assert found == [f"f.yaml:{where}: error: nesting is too deep (limit 64 levels)"]


def test_aliases_cannot_nest_deeper_than_the_limit():
    inner = "[" * 40 + "]" * 40
    text = f"a: &deep {inner}\nb: " + "[" * 30 + "*deep" + "]" * 30 + "\n"
    # b's lists hold *deep at level 31, so the 35th '[' of &deep (column 44) is level 65.
    assert problems_of(text) == ["f.yaml:1:44: error: nesting is too deep (limit 64 levels)"]


def test_recursion_error_is_a_clean_error(monkeypatch):
    # Should the depth limit ever be raised past Python's recursion limit,
    # a RecursionError still becomes a problem, not a traceback.
    monkeypatch.setattr(yamlsource, "MAX_DEPTH", 10**6)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    try:
        found = problems_of("a: " + "[" * 1000 + "]" * 1000 + "\n")
    finally:
        sys.setrecursionlimit(old)
    assert found == ["f.yaml:1:1: error: nesting is too deep (limit 1000000 levels)"]


# ----------------------------------------------------------------------------
# Syntax errors: reworded, one line, at the right place

@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "roles: [\n  {id: R1}\n",
        "f.yaml:3:1: error: YAML syntax error: expected ',' or ']', but the file ended; "
        "the '[' at line 1, column 8 is never closed",
        id="unclosed-bracket"),
    pytest.param(
        "a: {b: 1\n",
        "f.yaml:2:1: error: YAML syntax error: expected ',' or '}', but the file ended; "
        "the '{' at line 1, column 4 is never closed",
        id="unclosed-brace"),
    pytest.param(
        "a: [1, 2}\n",
        "f.yaml:1:9: error: YAML syntax error: expected ',' or ']', but found '}'; "
        "the '[' at line 1, column 4 is still open",
        id="wrong-closing-bracket"),
    pytest.param(
        "a: [\n",
        "f.yaml:2:1: error: YAML syntax error: expected a value, but the file ended",
        id="bracket-at-end"),
    pytest.param(
        "a:\n  b: 1\n c: 2\n",
        "f.yaml:3:2: error: YAML syntax error: this does not line up with the mapping that starts at "
        "line 1, column 1; check the indentation",
        id="bad-indentation-mapping"),
    pytest.param(
        "- a\nb: 1\n",
        "f.yaml:2:1: error: YAML syntax error: this does not line up with the list that starts at "
        "line 1, column 1; check the indentation",
        id="bad-indentation-list"),
    pytest.param(
        "a: 'x'y\n",
        "f.yaml:1:7: error: YAML syntax error: unexpected text after a value; put the whole value in quotes",
        id="text-after-quoted-value"),
    pytest.param(
        "a: b: c\n",
        "f.yaml:1:5: error: YAML syntax error: unexpected ':' here; check the indentation, "
        "or put text containing ': ' in quotes",
        id="colon-in-plain-text"),
    pytest.param(
        "a: 1\nb\nc: 2\n",
        "f.yaml:2:1: error: YAML syntax error: expected ':' after this key; write 'key: value', "
        "or check the indentation",
        id="key-without-colon"),
    pytest.param(
        "a:\n\tb: 1\n",
        "f.yaml:2:1: error: YAML syntax error: a tab character cannot indent YAML; use spaces",
        id="tab-indentation"),
    pytest.param(
        "a: 'abc\n",
        "f.yaml:2:1: error: YAML syntax error: the quote at line 1, column 4 is never closed",
        id="unclosed-quote"),
    pytest.param(
        'a: "\\q"\n',
        "f.yaml:1:6: error: YAML syntax error: found unknown escape character 'q' "
        "(in the quoted text that starts at line 1, column 4)",
        id="bad-escape"),
    pytest.param(
        "a: @x\n",
        "f.yaml:1:4: error: YAML syntax error: '@' cannot start a value; put the text in quotes",
        id="reserved-character"),
    pytest.param(
        "a: *x\n",
        "f.yaml:1:4: error: YAML syntax error: alias *x names no anchor; define &x before it is used",
        id="undefined-alias"),
    pytest.param(
        "a: &x 1\nb: &x 2\n",
        "f.yaml:2:4: error: YAML syntax error: anchor 'x' is defined twice (first at line 1, column 4); rename one",
        id="duplicate-anchor"),
    pytest.param(
        "a: 1\n---\nb: 2\n",
        "f.yaml:2:1: error: YAML syntax error: expected one YAML document per file, "
        "but found a second one (after '---')",
        id="two-documents"),
    pytest.param(
        "a: x\x07y\n",
        "f.yaml:1:5: error: control character U+0007 is not allowed in YAML; remove it",
        id="control-character"),
    pytest.param(
        "\u00e9\u00e9: 1\nb: \x00\n",
        "f.yaml:2:4: error: control character U+0000 is not allowed in YAML; remove it",
        id="nul-after-non-ascii"),
])
def test_syntax_errors(text, expected):
    assert problems_of(text) == [expected]


# ----------------------------------------------------------------------------
# Reading files

def test_read_text_strips_a_bom(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    text = read_text(str(path), "f.yaml")
    assert text == "a: 1\n"
    assert parse(text, "f.yaml").values[("a",)] == Location("f.yaml", 1, 4)


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param(b"a: caf\xe9\n", "f.yaml:1:7: error: file is not UTF-8 text (byte 0xe9); save it as UTF-8",
                 id="latin-1"),
    pytest.param("a: 1\nb: \u00e9\u00e9\u00e9 ".encode() + b"\x80\n",
                 "f.yaml:2:8: error: file is not UTF-8 text (byte 0x80); save it as UTF-8",
                 id="column-in-characters"),
    pytest.param(b"\xff\xfea\x00:\x00", "f.yaml:1:1: error: file is not UTF-8 text (byte 0xff); save it as UTF-8",
                 id="utf-16"),
])
def test_read_text_refuses_other_encodings(tmp_path, raw, expected):
    path = tmp_path / "f.yaml"
    path.write_bytes(raw)
    with pytest.raises(InputError) as info:
        read_text(str(path), "f.yaml")
    assert [str(p) for p in info.value.problems] == [expected]


def test_read_text_refuses_a_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 10)
    path = tmp_path / "f.yaml"
    path.write_text("a: 12345678\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_text(str(path), "f.yaml")
    assert [str(p) for p in info.value.problems] == [
        "f.yaml:1:1: error: file is 12 bytes; the limit is 10 bytes"]


def test_read_text_of_a_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_text(str(tmp_path / "nowhere.yaml"), "nowhere.yaml")
    assert [str(p) for p in info.value.problems] == [
        "nowhere.yaml:1:1: error: cannot read file: No such file or directory"]
