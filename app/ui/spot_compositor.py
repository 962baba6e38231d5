"""A compositor whose partial updates draw only the widgets under what changed (issue 12).

Textual's partial update draws every widget whose clip touches the box around all the
changed regions, each over its whole visible height, and then keeps only the changed lines.
When the clock's second and a pane's refresh share a frame, that box spans the screen and
the frame draws the timeline, the checklist and the roles again only to drop them. Here a
widget is drawn only if a changed region touches it, and only over the rows those regions
cover (at its full width, so the screen's cuts line up as before). Full updates and
screenshots are Textual's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip


class SpotCompositor(Compositor):
    def __init__(self) -> None:
        super().__init__()
        self._spots: list[Region] = []  # the changed regions, during a partial update

    def render_partial_update(self) -> ChopsUpdate | None:
        self._spots = list(self._dirty_regions)
        try:
            return super().render_partial_update()
        finally:
            self._spots = []

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        spots = self._spots
        if crop is None or not spots:
            yield from super()._get_renders(crop)
            return
        intersection = Region.intersection
        for widget, (region, clip) in self.visible_widgets.items():  # front to back, as Textual's
            shown = intersection(region, clip)
            touching = [spot for spot in spots if shown.overlaps(spot)]
            if not touching:
                continue  # nothing of it is in a changed line's span: ChopsUpdate skips it
            top = max(shown.y, min(spot.y for spot in touching))
            bottom = min(shown.bottom, max(spot.bottom for spot in touching))
            band = intersection(clip, Region(clip.x, top, clip.width, bottom - top))
            x, y, width, height = intersection(region, band)
            if width and height:
                yield region, band, widget.render_lines(Region(x - region.x, y - region.y, width, height))
