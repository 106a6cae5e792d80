"""``psyc info --layout``: a picture of the circuit's table, drawn with matplotlib.

Left: the table itself, one pixel column per wire and rows top to bottom, coloured by the
gate of the row where a cell is used (unused cells pale, padding rows grey), with two
strips beside it: the mix of gates and the mix of functions (source scopes) of each line.
Right: rows by gate type, rows by function, and the numbers (rows used, padding, lookup
and Poseidon rows, columns used). Tall tables are binned (a line of the table shows the
most common gate of its rows; the strips show all of them), so a picture of a 2^20-row
circuit stays small.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from psyc.costs import row_sources

if TYPE_CHECKING:
    from psyc.compiler import CompiledProgram

MAX_PIXEL_ROWS = 1024
TOP_FUNCTIONS = 8


def _palette(n: int, name: str = "tab10"):
    from matplotlib import colormaps

    cmap = colormaps[name if n <= colormaps[name].N else "tab20"]
    return [cmap(k % cmap.N) for k in range(n)]


def _mix(codes: np.ndarray, edges: np.ndarray, cols: int = 24) -> np.ndarray:
    """One line per bin of rows: its codes side by side, each over its share of the line
    (so rows of two kinds that alternate show as both, not as the more common one)."""
    out = np.zeros((len(edges) - 1, cols), dtype=np.int32)
    for b in range(len(edges) - 1):
        lo, hi = edges[b], max(edges[b + 1], edges[b] + 1)
        counts = np.bincount(codes[lo:hi])
        ends = np.round(np.cumsum(counts) / counts.sum() * cols).astype(int)
        start = 0
        for code, end in enumerate(ends):
            out[b, start:end] = code
            start = max(start, end)
    return out


def layout_summary(prog: CompiledProgram) -> dict:
    """The numbers the picture shows (also handy in tests)."""
    data = prog.circuit()
    rows = prog.lowered().builder.rows
    sources = row_sources(prog)
    used = [r for r, s in zip(rows, sources, strict=True) if s is not None]
    cols = [sum(c is not None for c in r.cells) for r in used]
    by_gate = Counter(s.gate for s in sources if s is not None)
    return {
        "degree": data.common.degree,
        "num_wires": data.common.config.num_wires,
        "used_rows": len(used),
        "padding_rows": data.common.degree - len(used),
        "by_gate": dict(by_gate),
        "by_function": dict(Counter(s.function for s in sources if s is not None)),
        "lookup_rows": by_gate.get("lookup", 0),
        "poseidon_rows": by_gate.get("poseidon", 0),
        "max_columns": max(cols, default=0),
        "mean_columns": float(np.mean(cols)) if cols else 0.0,
    }


def draw_layout(prog: CompiledProgram, path: str | Path, title: str = "") -> dict:
    """Write the picture to ``path`` (.png or .svg); returns :func:`layout_summary`."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    summary = layout_summary(prog)
    rows = prog.lowered().builder.rows
    sources = row_sources(prog)
    n, width = summary["degree"], summary["num_wires"]
    gates = sorted(summary["by_gate"], key=lambda g: -summary["by_gate"][g])
    gate_colors = _palette(len(gates))
    fns = sorted(summary["by_function"], key=lambda f: -summary["by_function"][f])
    top_fns = fns[:TOP_FUNCTIONS]

    # one code per row: 0 padding, 1 + k gate k; cells: +len(gates)+1 when unused
    gate_code = {g: k + 1 for k, g in enumerate(gates)}
    row_gate = np.zeros(n, dtype=np.int32)
    row_cols = np.zeros(n, dtype=np.int32)
    row_fn = np.full(n, -1, dtype=np.int32)
    for k, (r, s) in enumerate(zip(rows, sources, strict=True)):
        if s is None:
            continue
        row_gate[k] = gate_code[s.gate]
        row_cols[k] = sum(c is not None for c in r.cells)
        row_fn[k] = top_fns.index(s.function) if s.function in top_fns else len(top_fns)
    bins = min(n, MAX_PIXEL_ROWS)
    edges = np.linspace(0, n, bins + 1).astype(int)
    table = np.zeros((bins, width), dtype=np.int32)
    for b in range(bins):
        lo, hi = edges[b], max(edges[b + 1], edges[b] + 1)
        g = np.bincount(row_gate[lo:hi]).argmax()
        if g == 0:
            continue
        mask = row_gate[lo:hi] == g
        ncols = int(round(row_cols[lo:hi][mask].mean()))
        table[b, :ncols] = g
        table[b, ncols:] = len(gates) + 1
    gate_mix = _mix(row_gate, edges)
    scope_mix = _mix(np.where(row_fn >= 0, row_fn + 1, 0), edges)

    fig = plt.figure(figsize=(13, 8), layout="constrained")
    grid = fig.add_gridspec(3, 4, width_ratios=[3.2, 0.3, 0.3, 3.0], height_ratios=[1, 1, 0.8])
    ax = fig.add_subplot(grid[:, 0])
    cmap = ListedColormap([(0.75, 0.75, 0.75, 1.0), *gate_colors, (0.95, 0.95, 0.95, 1.0)])
    ax.imshow(table, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0, vmax=len(gates) + 1,
              extent=(-0.5, width - 0.5, n, 0))
    ax.set_xlabel(f"wire column (of {width})")
    ax.set_ylabel(f"row (of {n:,})")
    per = f"; {n / bins:.0f} rows a line" if bins < n else ""
    ax.set_title(f"cells by gate (pale: unused{per})", fontsize=10)
    ax.legend(handles=[Patch(color=c, label=g) for g, c in zip(gates, gate_colors, strict=True)]
              + [Patch(color=cmap(0), label="padding")], loc="lower right", fontsize=8, framealpha=0.9)

    # the strips: each line's mix of gates and of functions (the share of its rows)
    mix_ax = fig.add_subplot(grid[:, 1], sharey=ax)
    mix_ax.imshow(gate_mix, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0, vmax=len(gates) + 1,
                  extent=(0, 1, n, 0))
    fn_colors = _palette(len(top_fns) + 1, "Set2")  # not the gates' colours: another legend
    sax = fig.add_subplot(grid[:, 2], sharey=ax)
    scmap = ListedColormap([(0.75, 0.75, 0.75, 1.0), *fn_colors[: len(top_fns)], (0.5, 0.5, 0.5, 1.0)])
    sax.imshow(scope_mix, aspect="auto", interpolation="nearest", cmap=scmap, vmin=0, vmax=len(top_fns) + 1,
               extent=(0, 1, n, 0))
    for strip_ax, name in ((mix_ax, "gates"), (sax, "scope")):
        strip_ax.set_xticks([])
        strip_ax.set_title(name, fontsize=10)
        strip_ax.tick_params(labelleft=False)

    gax = fig.add_subplot(grid[0, 3])
    counts = [summary["by_gate"][g] for g in gates]
    gax.barh(gates[::-1], counts[::-1], color=gate_colors[::-1])
    gax.set_title("rows by gate type", fontsize=10)
    for y, v in enumerate(counts[::-1]):
        gax.text(v, y, f" {v:,}", va="center", fontsize=8)
    gax.margins(x=0.25)

    fax = fig.add_subplot(grid[1, 3])
    shown = top_fns + (["(other)"] if len(fns) > len(top_fns) else [])
    fcounts = [summary["by_function"][f] for f in top_fns]
    if len(fns) > len(top_fns):
        fcounts.append(sum(summary["by_function"][f] for f in fns[len(top_fns):]))
    bar_colors = fn_colors[: len(top_fns)] + [(0.5, 0.5, 0.5, 1.0)] * (len(shown) - len(top_fns))
    fax.barh(shown[::-1], fcounts[::-1], color=bar_colors[::-1])
    fax.set_title("rows by source scope (function; the colours of the scope strip)", fontsize=10)
    for y, v in enumerate(fcounts[::-1]):
        fax.text(v, y, f" {v:,}", va="center", fontsize=8)
    fax.margins(x=0.25)
    fax.tick_params(axis="y", labelsize=8)

    tax = fig.add_subplot(grid[2, 3])
    tax.axis("off")
    lines = [
        f"rows used      {summary['used_rows']:>10,}",
        f"padding        {summary['padding_rows']:>10,}   (table of 2^{n.bit_length() - 1} = {n:,} rows)",
        f"lookup rows    {summary['lookup_rows']:>10,}",
        f"Poseidon rows  {summary['poseidon_rows']:>10,}",
        f"columns used   {summary['max_columns']:>10} max, {summary['mean_columns']:.1f} mean of {width}",
    ]
    tax.text(0.0, 1.0, "\n".join(lines), va="top", family="monospace", fontsize=10)
    fig.suptitle(title or "circuit layout", fontsize=12)
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text (searchable)
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return summary
