"""The HTML report's building blocks: escaped text, a table of escaped cells, a figure's cell, a severity badge, a
commune's anchor."""

from __future__ import annotations

from html import escape

from .run_data import SEVERITY_VI


def escaped(value) -> str:
    return "—" if value is None else escape(str(value), quote=True)


def commune_anchor(code: str | None) -> str:
    return "xa-" + ("".join(ch for ch in code if ch.isalnum()) if code else "chua-xac-dinh")


def num_cell(text: str) -> str:
    return f'<td class="num">{text}</td>'


def html_table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table of already-escaped cells; a num_cell keeps its own <td> (escaped data never starts with "<")."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def severity_badge(severity: str | None) -> str:
    sev = severity if severity in SEVERITY_VI else "warning"
    return f'<span class="sev {sev}">{SEVERITY_VI[sev]}</span>'
