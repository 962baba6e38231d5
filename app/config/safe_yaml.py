"""A YAML loader for config files written by people and, sometimes, by an attacker.

PyYAML's safe loader is safe from code execution, not from size: an alias bomb expands
to billions of nodes once anything walks it, a list nested 20,000 deep overflows the
stack, and a repeated key silently keeps only its last value. This composer counts what
aliases would expand to, bounds nesting, refuses duplicate keys, and names the key (path)
where it stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, Event, MappingEndEvent, SequenceEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_DEPTH = 32
# Nodes that aliases may add in total. Far above any real config (a shared block reused by
# a few hundred checks), far below what makes validation slow or memory-hungry.
MAX_ALIAS_NODES = 200_000
MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlLimit(Exception):
    def __init__(self, message: str, line: int | None, path: str) -> None:
        super().__init__(message)
        self.line = line
        self.path = path


class _BoundedComposer(Composer):
    if TYPE_CHECKING:
        # PyYAML assembles a loader from mixins: a composer calls the parser's and the
        # resolver's methods, which BoundedSafeLoader supplies beside it.
        def check_event(self, *choices: type[Event]) -> bool: ...
        def peek_event(self) -> Any: ...
        def get_event(self) -> Any: ...
        def resolve(self, kind: type[Node], value: str | None, implicit: Any) -> str: ...

    def __init__(self) -> None:
        super().__init__()
        self._path: list[str | int] = []
        self._weight: dict[int, int] = {}
        self._open: set[int] = set()
        self._alias_nodes = 0

    def _where(self) -> str:
        out = ""
        path = self._path if len(self._path) <= 8 else [*self._path[:4], "…", *self._path[-1:]]
        for part in path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def _fail(self, message: str, mark) -> None:
        raise YamlLimit(message, mark.line + 1 if mark is not None else None, self._where())

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor)
            if target is not None:
                if id(target) in self._open:
                    self._fail(f"alias *{event.anchor} refers to a node that contains it (a recursive structure)", event.start_mark)
                self._alias_nodes += self._weight.get(id(target), 1)
                if self._alias_nodes > MAX_ALIAS_NODES:
                    self._fail(
                        f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); refused",
                        event.start_mark,
                    )
            return super().compose_node(parent, index)
        if len(self._path) >= MAX_DEPTH:
            self._fail(f"nested more than {MAX_DEPTH} levels deep; refused", self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def compose_scalar_node(self, anchor):
        node = super().compose_scalar_node(anchor)
        self._weight[id(node)] = 1
        return node

    def compose_sequence_node(self, anchor):
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(SequenceNode, None, start.implicit)
        node = SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        self._open.add(id(node))
        weight = 1
        while not self.check_event(SequenceEndEvent):
            self._path.append(len(node.value))
            item = self.compose_node(node, len(node.value))
            self._path.pop()
            node.value.append(item)
            weight += self._weight.get(id(item), 1)
        node.end_mark = self.get_event().end_mark
        self._open.discard(id(node))
        self._weight[id(node)] = weight
        return node

    def compose_mapping_node(self, anchor):
        start = self.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(MappingNode, None, start.implicit)
        node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        self._open.add(id(node))
        first_line: dict[tuple[str, str], int] = {}
        weight = 1
        while not self.check_event(MappingEndEvent):
            key = self.compose_node(node, None)
            label: str | int = "?"
            if isinstance(key, ScalarNode):
                label = key.value
                if key.tag != MERGE_TAG:
                    ident = (key.tag, key.value)
                    line = key.start_mark.line + 1
                    if ident in first_line:
                        self._fail(
                            f"duplicate key {key.value!r} on line {line} (first on line {first_line[ident]}); "
                            "YAML would keep only the last one, so remove one",
                            key.start_mark,
                        )
                    first_line[ident] = line
            self._path.append(label)
            value = self.compose_node(node, key)
            self._path.pop()
            node.value.append((key, value))
            weight += self._weight.get(id(key), 1) + self._weight.get(id(value), 1)
        node.end_mark = self.get_event().end_mark
        self._open.discard(id(node))
        self._weight[id(node)] = weight
        return node


class _PlainConstructor(SafeConstructor):
    """YAML 1.1 reads 1:00 as the base-60 number 60: nobody writing a config means that
    (`respond_within: 1:00` was meant as an hour or a minute), so it stays the text it was."""

    def construct_yaml_int(self, node):
        if ":" in str(node.value):
            return self.construct_scalar(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        if ":" in str(node.value):
            return self.construct_scalar(node)
        return super().construct_yaml_float(node)


_PlainConstructor.yaml_constructors = {
    **SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": _PlainConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _PlainConstructor.construct_yaml_float,
}


class BoundedSafeLoader(Reader, Scanner, Parser, _BoundedComposer, _PlainConstructor, Resolver):
    def __init__(self, stream) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _BoundedComposer.__init__(self)
        _PlainConstructor.__init__(self)
        Resolver.__init__(self)


_Loader: Any = BoundedSafeLoader
_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # a PyYAML built without libyaml: the pure-Python loader above
    _CParser = None
if _CParser is not None:
    # libyaml scans and parses in C: a config with 20,000 health checks loads in 1.9 s
    # instead of 4.6 s. The bounded composer still sees every event, so the limits above
    # hold the same.
    class _LibyamlBoundedLoader(_BoundedComposer, _CParser, _PlainConstructor, Resolver):
        def __init__(self, stream) -> None:
            _CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            _PlainConstructor.__init__(self)
            Resolver.__init__(self)

    _Loader = _LibyamlBoundedLoader


def load(text: str) -> Any:
    """yaml.safe_load with the bounds above; raises YamlLimit or yaml.YAMLError."""
    try:
        return _load_with(_Loader, text)
    except yaml.YAMLError:
        if _Loader is BoundedSafeLoader:
            raise
    # libyaml words some syntax errors differently and stops deep nesting before the
    # composer can name the key: a broken file is read again by the pure-Python loader,
    # so the one-line error is the same whichever PyYAML is installed.
    return _load_with(BoundedSafeLoader, text)


def _load_with(loader_class: Any, text: str) -> Any:
    loader = loader_class(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "YamlLimit", "load", "yaml"]
