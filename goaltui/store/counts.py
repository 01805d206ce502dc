"""How many rows of a table, in words: `1,969 check-ins`, for the summaries of import and export."""

from __future__ import annotations

from goaltui.i18n import ngettext


def counted(message: str, n: int) -> str:
    """A counted message of ngettext with its count written out (`1,969 check-ins`)."""
    return message.format(count=f"{n:,}")


def counted_rows(table: str, n: int) -> str:
    """`n` rows of `table` (an interchange-format table), in the current language."""
    match table:
        case "units":
            message = ngettext("{count} unit", "{count} units", n)
        case "kpis":
            message = ngettext("{count} KPI", "{count} KPIs", n)
        case "objectives":
            message = ngettext("{count} objective", "{count} objectives", n)
        case "key_results":
            message = ngettext("{count} key result", "{count} key results", n)
        case "checkins":
            message = ngettext("{count} check-in", "{count} check-ins", n)
        case "targets":
            message = ngettext("{count} target", "{count} targets", n)
        case "grades":
            message = ngettext("{count} grade", "{count} grades", n)
        case "closed_periods":
            message = ngettext("{count} closed period", "{count} closed periods", n)
        case "history":
            message = ngettext("{count} history entry", "{count} history entries", n)
        case _:
            raise ValueError(f"no words for the rows of {table!r}")
    return counted(message, n)


def summary(counts: dict[str, int], optional: tuple[str, ...]) -> str:
    """`counts` (table -> rows, in order) as one line; the tables in `optional` only when
    they have rows."""
    return ", ".join(
        counted_rows(table, n) for table, n in counts.items() if n or table not in optional
    )
