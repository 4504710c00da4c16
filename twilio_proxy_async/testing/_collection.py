"""An insertion-ordered set of records, addressable by SID and by creation sequence."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class _Keyed(Protocol):
    @property
    def seq(self) -> int: ...

    @property
    def sid(self) -> str: ...


R = TypeVar("R", bound=_Keyed)


class Collection(Generic[R]):
    """Pages are cut by creation sequence, not offset, so they stay stable under churn.

    Sequences only grow, so the parallel ``_seqs`` list stays sorted and every page
    lookup is a bisection, which keeps 200k-record lists cheap to walk.
    """

    def __init__(self) -> None:
        self._seqs: list[int] = []
        self._items: list[R] = []
        self._by_sid: dict[str, R] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[R]:
        return iter(self._items)

    def get(self, sid: str) -> R | None:
        return self._by_sid.get(sid)

    def add(self, item: R) -> None:
        self._seqs.append(item.seq)
        self._items.append(item)
        self._by_sid[item.sid] = item

    def remove(self, item: R) -> None:
        index = bisect_left(self._seqs, item.seq)
        if index < len(self._items) and self._items[index] is item:
            del self._seqs[index]
            del self._items[index]
            del self._by_sid[item.sid]

    def index_after(self, seq: int) -> int:
        return bisect_right(self._seqs, seq)

    def index_before(self, seq: int) -> int:
        return bisect_left(self._seqs, seq)

    def seq_at(self, index: int) -> int:
        """The sequence at ``index``, or one past the last when ``index`` is the end."""
        if index < len(self._seqs):
            return self._seqs[index]
        return self._seqs[-1] + 1 if self._seqs else 0

    def slice(self, start: int, stop: int) -> list[R]:
        return self._items[start:stop]
