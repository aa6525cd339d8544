"""The confirmation lines of `campaign pause` and `campaign resume`: what stops, what goes on.

A pause names exactly what it stopped: the campaign, the shared account with every campaign
that uses it, or everything in the database with every campaign in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from campaign.cli.context import CliContext
    from campaign.store import Store


def pause_line(cli: CliContext, store: Store, account: str | None, everything: bool) -> Text:
    if everything:
        names = [row.name for row in store.campaigns()]
        return Text.assemble(
            ("PAUSED EVERYTHING", "bold red"),
            f": nothing more will be claimed for sending in any campaign of this database "
            f"({_listed(names)}). Resume with `campaign resume --all`.",
        )
    if account:
        row, users = store.account_users(cli.slug, account)
        return Text.assemble(
            ("PAUSED", "bold red"),
            f" account {account} ({_account_words(row.name, row.handle)}) in every campaign "
            f"that uses it: {_listed([user.name for user in users])}. Nothing more will be "
            f"claimed for sending on it. Resume with `campaign resume --account {account}`.",
        )
    return Text.assemble(
        ("PAUSED", "bold red"),
        f" {cli.facts.name}: nothing more will be claimed for sending. Resume with "
        "`campaign resume`.",
    )


def resume_line(cli: CliContext, store: Store, account: str | None, everything: bool) -> Text:
    if everything:
        still = [row.name for row in store.campaigns() if row.paused]
        held = [row.key for row in store.all_accounts() if row.paused]
        line = Text("Resumed everything: campaigns publish again")
        if still or held:
            line.append(
                f"; still paused on their own: {_listed([*still, *(f'account {k}' for k in held)])}"
                " (`campaign resume` for each)",
                "bold yellow",
            )
        line.append(".")
        return line
    if account:
        _, users = store.account_users(cli.slug, account)
        line = Text(
            f"Resumed account {account} in every campaign that uses it: "
            f"{_listed([user.name for user in users])}."
        )
    else:
        line = Text(f"Resumed {cli.facts.name}.")
    if store.everything_paused() is not None:
        line.append(
            " Nothing is published yet: everything is paused; `campaign resume --all` lifts it.",
            "bold yellow",
        )
    return line


def _account_words(name: str, handle: str | None) -> str:
    return f"{name}, {handle}" if handle else name


def _listed(names: list[str]) -> str:
    if not names:
        return "none yet"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
