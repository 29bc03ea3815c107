"""`storykit refine`: the grooming report, as text, JSON or Markdown for a meeting's
notes; `--exit-code` for a scheduled CI job."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.commands.reports import captured
from storykit.cli.lean.kept_answers import window
from storykit.cli.lean.kept_refine import refine_request
from storykit.cli.options import JsonOpt, workspace
from storykit.cli.render import envelope, output
from storykit.cli.render.comment import fit
from storykit.errors import UsageError
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.cli.lean.kept_answers import KeptAnswers
    from storykit.model.refine import Finding, Refinement
    from storykit.services.workspace import Workspace


def refine(
    top: Annotated[
        int, typer.Option("--top", metavar="N", help="How many open items count as the top.")
    ] = 20,
    as_json: JsonOpt = False,
    format_: Annotated[
        str, typer.Option("--format", metavar="text|markdown", help="text or markdown.")
    ] = "text",
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when anything needs attention.")
    ] = False,
) -> None:
    from storykit import clock
    from storykit.services.refine import refinement

    if format_ not in ("text", "markdown"):
        raise UsageError(f"--format {format_!r}: give text or markdown")
    if as_json and format_ != "text":
        raise UsageError("give either --json or --format, not both")
    ws = workspace()
    now = clock.now()
    keep = _kept(ws, refine_request(top, as_json, format_, exit_code))
    with captured() as (out, err):
        found = refinement(ws, top, now)
        if found.unjudged:
            output.err(f"warning: {found.unjudged}")
        if as_json:
            envelope.print_json(answers.refinement(found))
        elif format_ == "markdown":
            sys.stdout.write(_markdown(found))
        else:
            _text(found)
    code = 1 if exit_code and found.needs_attention else 0
    if keep is not None and not err.getvalue():  # a warning, a cut history: asked again
        kept, key = keep
        stamps = [moment.timestamp() for moment in found.changes]
        kept.put(key, out.getvalue(), window(stamps, now.timestamp()), code)
    if code:
        raise typer.Exit(code)


def _kept(ws: Workspace, request: list[str]) -> tuple[KeptAnswers, str] | None:
    """Where this answer is kept and its key, taken before anything is read (None: it is
    not kept here)."""
    from storykit.cli.lean.kept_refine import kept_refine

    git_dir = ws.project.git_dir
    if git_dir is None:
        return None
    try:
        config = ws.project.config_path.read_bytes()
    except OSError:
        return None
    kept = kept_refine(ws.project.root, git_dir, config, request)
    if kept is None:
        return None
    kept.remember(ws.project.config.backlog_dir)  # what `key` needs (read without TOML)
    key = kept.key()
    return (kept, key) if key is not None else None


def _groups(found: Refinement) -> dict[str, list[Finding]]:
    from storykit.model.refine import KINDS

    groups: dict[str, list[Finding]] = {}
    for finding in found.findings:
        groups.setdefault(KINDS[finding.code], []).append(finding)
    return groups


def _balance_line(found: Refinement) -> str:
    parts = [
        f"{kind} {part['count']} ({round(part['share'] * 100)}% of points)"
        for kind, part in found.balance.items()
        if part["count"]
    ]
    return f"balance of the top {found.top}: {', '.join(parts) or 'no open items'}"


def _text(found: Refinement) -> None:
    groups = _groups(found)
    if not groups:
        output.out(f"nothing to refine: the top {found.top} and the backlog look groomed")
    for title, findings in groups.items():
        output.out(
            f"{title} ({len(findings)}):", f"[bold]{output.escape(title)}[/] ({len(findings)}):"
        )
        for finding in findings:
            mark = "warning: " if finding.severity == "warning" else ""
            fix = _fix_text(finding)
            output.out(
                f"  {mark}{finding.message}  ({fix})",
                f"  [yellow]{mark}[/]{output.escape(finding.message)}  "
                f"[dim]({output.escape(fix)})[/]",
            )
    output.out(_balance_line(found))


def _fix_text(finding: Finding) -> str:
    """`cmd`, or `cmd` or `other`, then the note: every command its own code span."""
    text = " or ".join(f"`{command}`" for command in finding.fixes())
    return f"{text}: {finding.note}" if finding.note else text


def _markdown(found: Refinement) -> str:
    lines = [f"## Backlog refinement (top {found.top})", ""]
    groups = _groups(found)
    if not groups:
        lines += ["Nothing to refine.", ""]
    for title, findings in groups.items():
        lines += [f"### {title[:1].upper()}{title[1:]} ({len(findings)})", ""]
        lines += [f"- [ ] {_md(finding.message)} — {_fix_text(finding)}" for finding in findings]
        lines.append("")
    lines += [f"**{_md(_balance_line(found)).capitalize()}**", ""]
    if found.unjudged:
        lines += [f"_{_md(found.unjudged).capitalize()}._", ""]
    return fit("\n".join(lines), "`storykit refine` (text or `--json`) prints all of it")


def _md(text: str) -> str:
    """Text that Markdown shows as it is (the printable form of a title)."""
    from storykit.printable import printable

    text = printable(text).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
    return text.replace("`", "\\`")
