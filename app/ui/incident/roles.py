"""Roles: each configured role with who holds it (assign / hand off from the `r` screen)."""

from __future__ import annotations

from rich.text import Text

from app.domain.incident import IncidentState
from app.ui.widgets.marks import MarkedTable


class RolesTable(MarkedTable):
    def __init__(self, roles: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", show_header=False)
        self.roles = roles

    def on_mount(self) -> None:
        self.add_column("role", key="role")
        self.add_column("person", key="person")
        for role in self.roles:
            self.add_row(Text(role), Text("— unassigned", style="dim"), key=role)

    def show(self, state: IncidentState | None) -> None:
        holders = state.roles if state else {}
        extra = [r for r in holders if r not in self.roles]
        for role in [*self.roles, *extra]:
            person = holders.get(role)
            cell = Text(person) if person else Text("— unassigned", style="dim")
            if role in self.rows:
                self.update_cell(role, "person", cell, update_width=True)
            else:
                # A role assigned elsewhere that this config doesn't list: still show it.
                self.add_row(Text(role), cell, key=role)

    @property
    def selected_role(self) -> str | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value
