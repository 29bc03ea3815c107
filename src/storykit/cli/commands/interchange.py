"""`storykit import`: another tool's backlog made storykit items (services/importing.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storykit.cli.options import JsonOpt, NoVerifyOpt, commit_options, workspace
from storykit.cli.render import envelope, output
from storykit.errors import UsageError
from storykit.services import answers


def import_(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="github or jira.")],
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="github: the JSON of `gh issue list --state all --json number,title,body,"
            "labels,state,stateReason,assignees,milestone,url`; jira: a CSV export.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be created, updated and skipped.")
    ] = False,
    type_label: Annotated[
        list[str] | None,
        typer.Option(
            "--type-label",
            metavar="LABEL=TYPE",
            help="github: issues with LABEL become TYPE (besides spike, epic, tech-debt, "
            "technical, refactor); repeatable.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """One commit for the whole import; each item keeps where it came from in `x-source`,
    so importing again updates those items and creates only new ones. Closed work arrives
    done (or dropped), work in progress in progress, the rest as drafts; what a status needs
    and the source never held stays empty, and `check` warns about it. A row that cannot be
    an item is reported and skipped."""
    from storykit.model.catalogue import ITEM_TYPES
    from storykit.services.importing import import_items

    labels: dict[str, str] = {}
    for pair in type_label or []:
        label, _, item_type = pair.partition("=")
        if not label.strip() or item_type not in ITEM_TYPES:
            raise UsageError(
                f"--type-label {pair!r}: give LABEL=TYPE, TYPE one of {', '.join(ITEM_TYPES)}"
            )
        labels[label.strip()] = item_type
    report = import_items(
        workspace(), source, path, commit_options(False, no_verify, False),
        dry_run=dry_run, type_labels=labels,
    )  # fmt: skip
    if as_json:
        envelope.print_json(answers.imported(report, dry_run))
        return
    for skipped in report.skipped:
        output.err(f"skipped: {skipped.where}: {skipped.reason}")
    for note in report.notes:
        output.err(f"note: {note}")
    would = "would be " if dry_run else ""
    if dry_run:
        for item in report.created:  # its ID is minted when it is made
            output.out(f"would create {item.type}: {item.model.title}")
        for item in report.updated:
            output.out(f"would update {item.type} {item.id}: {item.model.title}")
    counts = (
        f"{len(report.created)} {would}created, {len(report.updated)} {would}updated, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
    )
    where = f"  [{report.commit[:8]}]" if report.commit else ""
    output.out(f"{'dry run: ' if dry_run else ''}import from {source}: {counts}{where}")
