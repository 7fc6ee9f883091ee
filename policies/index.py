"""Find the notice(s) for a region, a level and a year."""

from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Optional

from policies.schema import Notice


class NoticeIndex:
    def __init__(self, notices: Iterable[Notice]) -> None:
        self._by_id: Dict[str, Notice] = {}
        for n in notices:
            if n.id in self._by_id:
                raise ValueError(f"two notices share the id {n.id}")
            self._by_id[n.id] = n

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Notice]:
        return iter(self.all())

    def all(self) -> List[Notice]:
        """Newest year first, then by id — the order buttons are offered in."""
        return sorted(self._by_id.values(), key=lambda n: (-n.year, n.id))

    def get(self, notice_id: str) -> Optional[Notice]:
        return self._by_id.get(notice_id)

    def regions(self) -> Dict[str, str]:
        """Region code → city name, for every region that has a notice."""
        return {n.region.code: n.region.city for n in self.all()}

    def find(
        self, region: Optional[str] = None, level: Optional[str] = None, year: Optional[int] = None
    ) -> List[Notice]:
        """Notices matching every criterion given, newest first."""
        return [
            n
            for n in self.all()
            if (region is None or n.region.code == region)
            and (level is None or level in n.levels)
            and (year is None or n.year == year)
        ]


def load_places() -> List[str]:
    """Names of places a user may mention (provinces, prefecture-level cities, county-level
    divisions), longest first — from the gazetteer (``policies.places.all_places``)."""
    from policies.places import all_places

    return list(all_places())
