"""Roles: each configured role with who holds it and how to reach them (assign / hand off
from the `r` screen). A role the severity requires and nobody holds is a warning in words:
"⚠ Tech Lead  unassigned (required at SEV1)", not a colour alone."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text

from app.config.roles import Role
from app.domain.incident import IncidentState
from app.domain.text import one_line
from app.ui.widgets.marks import MarkedTable

WARN = "⚠"


class RolesTable(MarkedTable):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"roles-table--warn"}

    def __init__(self, roles: list[Role], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", show_header=False)
        self.roles = roles
        self.contacts = False
        self.required: dict[str, str] = {}
        """Role -> the severity that requires it, for the roles nobody holds."""

    def on_mount(self) -> None:
        self.add_column("role", key="role")
        self.add_column("person", key="person")
        # The contact column only where some role has one: no empty column to pad the rows.
        self.contacts = any(role.contact for role in self.roles)
        if self.contacts:
            self.add_column("contact", key="contact")
        for role in self.roles:
            # A contact is config text: one line, shown literally (Text, never markup).
            contact = [Text(one_line(role.contact or ""), style="dim")] if self.contacts else []
            self.add_row(Text(role.name), self._unassigned(role.name), *contact, key=role.name)

    def _warn(self):
        return self.get_component_rich_style("roles-table--warn", partial=True)

    def _unassigned(self, role: str) -> Text:
        at = self.required.get(role)
        if at:
            return Text(f"unassigned (required at {at})", style=self._warn())
        return Text("— unassigned", style="dim")

    def show(self, state: IncidentState | None, required: dict[str, str] | None = None) -> None:
        """`required`: the unfilled roles the incident's severity requires, with that severity."""
        self.required = dict(required or {})
        holders = state.roles if state else {}
        names = [r.name for r in self.roles]
        extra = [r for r in holders if r not in names]
        for role in [*names, *extra]:
            person = holders.get(role)
            cell = Text(person) if person else self._unassigned(role)
            label = Text(f"{WARN} {role}", style=self._warn()) if role in self.required else Text(role)
            if role in self.rows:
                self.update_cell(role, "role", label, update_width=True)
                self.update_cell(role, "person", cell, update_width=True)
            else:
                # A role assigned elsewhere that this config doesn't list: still show it.
                self.add_row(label, cell, *([Text("")] if self.contacts else []), key=role)

    @property
    def selected_role(self) -> str | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value
