"""Ordering and walking trees held as parent links (locations, categories)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def tree_order(
    nodes: Iterable[T], parent_of: Callable[[T], int | None], id_of: Callable[[T], int], name_of: Callable[[T], str]
) -> list[tuple[T, int]]:
    """Nodes depth-first (parents before children, siblings by name) with their depth."""
    children: dict[int | None, list[T]] = {}
    for node in nodes:
        children.setdefault(parent_of(node), []).append(node)
    ordered: list[tuple[T, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: name_of(n).lower()):
            ordered.append((node, depth))
            walk(id_of(node), depth + 1)

    walk(None, 0)
    return ordered


def descendant_ids(
    nodes: Iterable[T], root_id: int, parent_of: Callable[[T], int | None], id_of: Callable[[T], int]
) -> set[int]:
    """``root_id`` and the ids of everything below it."""
    children: dict[int | None, list[int]] = {}
    for node in nodes:
        children.setdefault(parent_of(node), []).append(id_of(node))
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found
