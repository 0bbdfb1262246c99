"""Scenarios: save everything set in this session under a name, load it back, compare 2–4."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import urllib.parse
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import common, locale, scenario_store, session_scenario, state
from app_pages.locale import t
from app_pages.page_text import EMPTY, note, plain
from pricing.exceptions import InputError
from pricing.report import plain_assumption, readable_scenario_table
from pricing.scenario import assumption_differences, scenario_table

#: Column headers of the listings (Japanese page; the English page shows the names).
LISTING_COLUMNS = {
    "scenario": "scenario",
    "exchange": "exchange",
    "regime": "regime",
    "client": "client",
    "owner": "owner",
    "version": "version",
    "saved": "saved",
    "saved by": "saved by",
    "measure": "Measure",
    "assumption": "assumption",
}


class Speaker:
    """How the comparison table speaks (:func:`pricing.report.readable_scenario_table`): the
    page's language, amounts compact in the display currency."""

    @staticmethod
    def t(text: str) -> str:
        return t(text)

    @staticmethod
    def amount(x: Any) -> str:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            return "–"
        return locale.money(float(x))


def headers(frame: pd.DataFrame) -> dict[str, Any]:
    """Column labels of a listing in the page's language (none in English)."""
    if locale.lang() == "en":
        return {}
    return {
        c: st.column_config.Column(t(LISTING_COLUMNS[c])) for c in frame if c in LISTING_COLUMNS
    }


def field_path(key: str) -> str:
    """A scenario field in words (``strategy › frictions › dispute probability``), each part
    translated; a USD amount's field is named with the display currency."""
    if locale.lang() == "en" and locale.currency() == "USD":
        return plain_assumption(key)
    parts = []
    for part in key.split("."):
        if part.endswith("_usd"):
            parts.append(f"{t(part[:-4].replace('_', ' '))} ({locale.unit()})")
        elif part in ("aed", "eur", "hkd", "jpy", "krw", "sgd"):
            parts.append(part.upper())  # a currency's FX rate
        else:
            parts.append(t(part.replace("_", " ")))
    return " › ".join(parts)


def field_value(key: str, value: Any) -> str:
    """A scenario field's value: amounts in the display currency, words translated."""
    if key.endswith("_usd") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return locale.money(float(value)) if not plain() else str(value)
    if isinstance(value, bool):
        return t("yes" if value else "no") if locale.lang() != "en" else str(value)
    if locale.lang() != "en" and not key.endswith(".name"):
        if isinstance(value, str) and value.startswith("["):
            with contextlib.suppress(ValueError):
                value = json.loads(value)  # a list, as the scenario's JSON writes it
        if isinstance(value, str):
            return t(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(t(str(v)) for v in value)
    return str(value)


st.title(t("Scenarios"))
with st.expander(t("How to read this page")):
    st.markdown(
        t(
            "A **scenario** is everything set in this session: the exchange profile, the loss "
            "model's choices and overrides, the regime and its parameters, the insurance "
            "frictions, the tower and the quote's loadings and text, and an uploaded incident file "
            "if there is one. Saving never overwrites: each save is a new **version** with who "
            "saved it and when. You see your own scenarios and those shared with you. **Compare** "
            "puts 2 to 4 saved scenarios side by side; the rows that differ are highlighted. The "
            "**link** of a scenario opens the app with it loaded."
        )
    )

user = scenario_store.current_user()
store = scenario_store.store()
st.caption(
    t("Signed in as **{user}**.").format(user=common.md(user))
    + " "
    + t(scenario_store.where(store))
)

# --- Save -----------------------------------------------------------------------------------
st.subheader(t("Save this session as a scenario"))
a, b, c = st.columns([3, 3, 1], vertical_alignment="bottom")
name = a.text_input(t("Scenario name"), key="sc_name", placeholder=t("e.g. Base case, HK regime"))
client = b.text_input(
    t("Client"),
    key="sc_client",
    placeholder=str(state.value("q_client") or ""),
    help=t("Who the scenario is for (also the insured on the quote sheet)."),
)
if c.button(t("Save"), type="primary", key="sc_save", icon=":material/save:"):
    try:
        record = session_scenario.scenario(name.strip())
        if client.strip():
            record = dataclasses.replace(record, client=client.strip())
        saved = store.save(record, user=user)
    except (InputError, ValueError) as err:
        st.error(t("Not saved: {error}").format(error=note(str(err))))
    else:
        st.success(
            t("Saved **{name}** as version {version}.").format(
                name=common.md(saved.name), version=saved.version
            )
        )

# --- List -----------------------------------------------------------------------------------
saved_list = store.list(user=user)
st.subheader(t("Saved scenarios"))
if not saved_list:
    st.info(t("No saved scenarios yet."))
    st.stop()
listing = pd.DataFrame(
    [
        {
            "scenario": s.name,
            "exchange": s.scenario.profile.name,
            "regime": s.scenario.regime,
            "client": s.client,
            "owner": s.owner,
            "version": s.version,
            "saved": s.updated_at.strftime("%Y-%m-%d %H:%M UTC"),
            "saved by": s.updated_by,
        }
        for s in saved_list
    ]
)
st.dataframe(
    listing,
    hide_index=True,
    width="stretch",
    key="sc_list",
    column_config=headers(listing),
    placeholder=EMPTY,
)

labels = [s.name if s.owner == user else f"{s.owner}/{s.name}" for s in saved_list]
pick = st.selectbox(t("Scenario"), labels, key="sc_pick")
chosen = saved_list[labels.index(pick)]
link = f"?scenario={urllib.parse.quote(pick)}"
st.markdown(t("Link that opens it:") + f" [{common.md(link)}](/{link})")
d, e, f, g = st.columns(4)
d.button(
    t("Load into this session"),
    key="sc_load",
    on_click=session_scenario.load_scenario,
    args=(chosen.scenario,),
    icon=":material/upload:",
    help=t("Every input of every page takes the scenario's value (its latest version)."),
)
with e.popover(t("Share"), icon=":material/share:", disabled=chosen.owner != user):
    st.caption(
        t(
            "Shared users see this scenario and may save new versions of it; only the owner "
            "renames, deletes or shares it."
        )
    )
    who = st.text_input(t("User to share with"), key="sc_share_user")
    if st.button(t("Share"), key="sc_share", type="primary"):
        try:
            store.share(pick, who.strip(), user=user)
        except (InputError, ValueError) as err:
            st.error(note(str(err)))
        else:
            st.rerun()
    for other in chosen.shared_with:
        if st.button(t("Stop sharing with {user}").format(user=other), key=f"sc_unshare_{other}"):
            store.unshare(pick, other, user=user)
            st.rerun()
with f.popover(t("Rename"), icon=":material/edit:", disabled=chosen.owner != user):
    new_name = st.text_input(t("New name"), key="sc_new_name")
    if st.button(t("Rename"), key="sc_rename"):
        try:
            store.rename(pick, new_name.strip(), user=user)
        except InputError as err:
            st.error(note(str(err)))
        else:
            st.rerun()
with g.popover(t("Delete"), icon=":material/delete:", disabled=chosen.owner != user):
    st.write(t("Delete **{name}** and all its versions?").format(name=common.md(pick)))
    if st.button(t("Delete"), key="sc_delete", type="primary"):
        try:
            store.delete(pick, user=user)
        except InputError as err:
            st.error(note(str(err)))
        else:
            st.rerun()
shared = ", ".join(chosen.shared_with) if chosen.shared_with else t("nobody")
st.caption(
    t(
        "Owner **{owner}**; shared with {shared}; latest version {version}, saved {date} UTC "
        "by {by}."
    ).format(
        owner=common.md(chosen.owner),
        shared=common.md(shared),
        version=chosen.version,
        date=f"{chosen.updated_at:%Y-%m-%d %H:%M}",
        by=common.md(chosen.updated_by),
    )
)
with st.expander(t("Version history of {name}").format(name=pick)):
    history = store.history(pick, user=user)
    versions_table = pd.DataFrame(
        [
            {
                "version": v.version,
                "saved": v.saved_at.strftime("%Y-%m-%d %H:%M UTC"),
                "saved by": v.saved_by,
            }
            for v in history
        ]
    )
    st.dataframe(
        versions_table,
        hide_index=True,
        key="sc_history",
        column_config=headers(versions_table),
        placeholder=EMPTY,
    )
    versions = [v.version for v in history]
    h, i = st.columns([1, 2], vertical_alignment="bottom")
    version = h.selectbox(t("Version"), versions, index=len(versions) - 1, key="sc_version")
    i.button(
        t("Load version {version}").format(version=version),
        key="sc_load_version",
        on_click=session_scenario.load_scenario,
        args=(store.load(pick, user=user, version=version),),
        icon=":material/history:",
        help=t("Every input takes that version's value; saving it again makes a new version."),
    )

# --- Compare ----------------------------------------------------------------------------------
st.subheader(t("Compare saved scenarios"))
picked = st.multiselect(
    t("Scenarios to compare (2 to 4)"), labels, max_selections=4, key="sc_compare"
)
if len(picked) < 2:
    st.caption(t("Pick two to four scenarios."))
    st.stop()
scenarios = [saved_list[labels.index(p)].scenario for p in picked]
results = [scenario_store.evaluate(s.to_json()) for s in scenarios]
table = scenario_table(results)
if plain():
    shown = readable_scenario_table(table)
else:  # the measures in words, amounts in the display currency (as the PDF report shows them)
    shown = readable_scenario_table(table, Speaker())  # type: ignore[arg-type]
    shown["measure"] = [t(m.replace("(USD", f"({locale.unit()}")) for m in table["measure"]]
st.dataframe(
    shown.style.apply(
        lambda row: (
            ["background-color: #fff3cd" if table["differs"].iloc[row.name] else ""] * len(row)
        ),
        axis=1,
    ),
    hide_index=True,
    width="stretch",
    key="sc_compare_table",
    column_config=headers(shown),
    placeholder=EMPTY,
)
st.caption(t("Highlighted rows differ between the scenarios."))
differences = assumption_differences(scenarios)
st.markdown(t("**Assumptions that differ**"))
if differences.empty:
    st.caption(t("None: the scenarios have the same inputs."))
else:
    shown_diff = differences.astype(str)
    if not plain():
        for column in differences.columns[1:]:
            shown_diff[column] = [
                field_value(k, v)
                for k, v in zip(differences["assumption"], differences[column], strict=True)
            ]
    shown_diff["assumption"] = differences["assumption"].map(field_path)
    st.dataframe(
        shown_diff,
        hide_index=True,
        width="stretch",
        key="sc_diff",
        column_config=headers(shown_diff),
        placeholder=EMPTY,
    )
records = tuple(s.to_json() for s in scenarios)
report_args = (records, locale.lang(), locale.unit())  # read now: the download runs later
st.download_button(
    t("Download the comparison report (PDF)"),
    lambda: scenario_store.comparison_pdf(*report_args),
    file_name="vaultcover_comparison.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/download:",
    key="sc_report",
)
