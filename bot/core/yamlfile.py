"""YAML reading that keeps line numbers, so every validation problem can say `path:line`.

Staff edit these files by hand and `/recargar` reads them while the bot serves, so nothing in a
file may crash or stall the loader: a tag it cannot build (`!!int soon`, `!!python/object`), a
value of the wrong type, a file too large, nesting too deep or an alias "bomb" (a few lines whose
aliases expand to billions of values) each becomes a `YamlProblem` with a line, in Spanish, and
is refused in milliseconds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

MAX_FILE_BYTES = 512 * 1024  # the largest shipped file is ~15 KB
MAX_NODES = 50_000  # values in a document once aliases are expanded
MAX_DEPTH = 64  # nesting levels
_HINT = " (si un texto lleva : # ? [ ] { } o una coma dentro de [...], ponlo entre comillas)"


class Located(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlProblem(Exception):
    """Raised for a file that is not well-formed YAML; carries the line of the fault.

    `syntax` holds the parser's own words for a syntax error, so the loader can explain the cause
    (a tab, an unclosed bracket or quote, indentation) instead of the parser's symptom.
    """

    def __init__(self, line: int, message: str, syntax: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.syntax = syntax


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader that builds `Located` mappings and reports duplicate keys."""

    duplicate_keys: list[tuple[int, str]]

    def construct_document(self, node: Node) -> Any:
        self.duplicate_keys = []
        return super().construct_document(node)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Build one value; a tag that cannot build it (`!!int soon`) is a problem on its line."""
        try:
            return super().construct_object(node, deep=deep)
        except (YamlProblem, yaml.MarkedYAMLError):
            raise
        except Exception as exc:
            value = node.value if isinstance(node, ScalarNode) else "..."
            raise YamlProblem(
                node.start_mark.line + 1,
                f"la etiqueta {_short_tag(node.tag)} no sirve para el valor {value!r} ({type(exc).__name__}); "
                "quita la etiqueta",
            ) from None


def _construct_mapping(loader: _Loader, node: MappingNode) -> Located:
    result = Located()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_text = str(key)
        line = key_node.start_mark.line + 1
        if key_text in result:
            loader.duplicate_keys.append((line, key_text))
        result[key_text] = loader.construct_object(value_node, deep=True)
        result.key_lines[key_text] = line
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: ScalarNode) -> Any:
    """Dates YAML recognises but cannot build (2026-13-45) stay text, so validation can name the field."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, CollectionNode):
        return list(node.value)
    return []


def check_expansion(root: Node) -> None:
    """Refuse a document that nests deeper than MAX_DEPTH, or whose aliases expand to more than
    MAX_NODES values or into themselves, before anything walks it value by value.

    Aliases share one node, so each node is sized once: linear in the file, however big the
    expansion would be.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise YamlProblem(
                    line, f"los alias (*nombre) se expanden a más de {MAX_NODES} valores; escribe los valores sin alias"
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise YamlProblem(line, "un alias (*nombre) se contiene a sí mismo")
        if depth > MAX_DEPTH:
            raise YamlProblem(line, f"demasiados niveles anidados (más de {MAX_DEPTH})")
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in sizes)


def load_yaml(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    """Load one YAML file; returns the data and the duplicate keys found as (line, key).

    Raises YamlProblem for anything wrong with the file itself (OSError if it cannot be read).
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlProblem(1, f"el archivo es demasiado grande ({size} bytes; el máximo es {MAX_FILE_BYTES})")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlProblem(1, "el archivo no es texto UTF-8: guárdalo como UTF-8") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None
        if node is not None:
            check_expansion(node)
            data = loader.construct_document(node)
    except YamlProblem:
        raise
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        tag = re.search(r"for the tag '([^']+)'", exc.problem or "")
        what = f"etiqueta no admitida {_short_tag(tag.group(1))}" if tag else "valor que no se puede leer"
        raise YamlProblem(line, f"{what}; quita la etiqueta `!!...` y escribe el valor tal cual") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "syntax error"
        raise YamlProblem(line, f"YAML inválido: {problem}{_HINT}", syntax=problem) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"YAML inválido: {exc}") from None
    except RecursionError:
        raise YamlProblem(1, f"demasiados niveles anidados (más de {MAX_DEPTH})") from None
    except Exception as exc:  # a tagged collection that cannot be built (!!set of lists, !!omap of text)
        raise YamlProblem(1, f"valor que no se puede leer ({type(exc).__name__}); quita la etiqueta `!!...`") from None
    finally:
        loader.dispose()
    return data, getattr(loader, "duplicate_keys", [])
