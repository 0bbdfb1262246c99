"""Scenarios: save everything set in this session under a name, load it back, compare 2–4."""

from __future__ import annotations

import dataclasses
import urllib.parse

import pandas as pd
import streamlit as st

from app_pages import common, locale, scenario_store, session_scenario, state
from pricing.exceptions import InputError
from pricing.report import plain_assumption, readable_scenario_table
from pricing.scenario import assumption_differences, scenario_table

st.title("Scenarios")
with st.expander("How to read this page"):
    st.markdown(
        "A **scenario** is everything set in this session: the exchange profile, the loss "
        "model's choices and overrides, the regime and its parameters, the insurance frictions, "
        "the tower and the quote's loadings and text, and an uploaded incident file if there "
        "is one. Saving never overwrites: each save is a new **version** with who saved it and "
        "when. You see your own scenarios and those shared with you. **Compare** puts 2 to 4 "
        "saved scenarios side by side; the rows that differ are highlighted. The **link** of "
        "a scenario opens the app with it loaded."
    )

user = scenario_store.current_user()
store = scenario_store.store()
st.caption(f"Signed in as **{common.md(user)}**. {scenario_store.where(store)}")

# --- Save -----------------------------------------------------------------------------------
st.subheader("Save this session as a scenario")
a, b, c = st.columns([3, 3, 1], vertical_alignment="bottom")
name = a.text_input("Scenario name", key="sc_name", placeholder="e.g. Base case, HK regime")
client = b.text_input(
    "Client",
    key="sc_client",
    placeholder=str(state.value("q_client") or ""),
    help="Who the scenario is for (also the insured on the quote sheet).",
)
if c.button("Save", type="primary", key="sc_save", icon=":material/save:"):
    try:
        record = session_scenario.scenario(name.strip())
        if client.strip():
            record = dataclasses.replace(record, client=client.strip())
        saved = store.save(record, user=user)
    except (InputError, ValueError) as err:
        st.error(f"Not saved: {err}")
    else:
        st.success(f"Saved **{common.md(saved.name)}** as version {saved.version}.")

# --- List -----------------------------------------------------------------------------------
saved_list = store.list(user=user)
st.subheader("Saved scenarios")
if not saved_list:
    st.info("No saved scenarios yet.")
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
st.dataframe(listing, hide_index=True, width="stretch", key="sc_list")

labels = [s.name if s.owner == user else f"{s.owner}/{s.name}" for s in saved_list]
pick = st.selectbox("Scenario", labels, key="sc_pick")
chosen = saved_list[labels.index(pick)]
link = f"?scenario={urllib.parse.quote(pick)}"
st.markdown(f"Link that opens it: [{common.md(link)}](/{link})")
d, e, f, g = st.columns(4)
d.button(
    "Load into this session",
    key="sc_load",
    on_click=session_scenario.load_scenario,
    args=(chosen.scenario,),
    icon=":material/upload:",
    help="Every input of every page takes the scenario's value (its latest version).",
)
with e.popover("Share", icon=":material/share:", disabled=chosen.owner != user):
    st.caption(
        "Shared users see this scenario and may save new versions of it; only the owner "
        "renames, deletes or shares it."
    )
    who = st.text_input("User to share with", key="sc_share_user")
    if st.button("Share", key="sc_share", type="primary"):
        try:
            store.share(pick, who.strip(), user=user)
        except (InputError, ValueError) as err:
            st.error(str(err))
        else:
            st.rerun()
    for other in chosen.shared_with:
        if st.button(f"Stop sharing with {other}", key=f"sc_unshare_{other}"):
            store.unshare(pick, other, user=user)
            st.rerun()
with f.popover("Rename", icon=":material/edit:", disabled=chosen.owner != user):
    new_name = st.text_input("New name", key="sc_new_name")
    if st.button("Rename", key="sc_rename"):
        try:
            store.rename(pick, new_name.strip(), user=user)
        except InputError as err:
            st.error(str(err))
        else:
            st.rerun()
with g.popover("Delete", icon=":material/delete:", disabled=chosen.owner != user):
    st.write(f"Delete **{common.md(pick)}** and all its versions?")
    if st.button("Delete", key="sc_delete", type="primary"):
        try:
            store.delete(pick, user=user)
        except InputError as err:
            st.error(str(err))
        else:
            st.rerun()
shared = ", ".join(chosen.shared_with) if chosen.shared_with else "nobody"
st.caption(
    f"Owner **{common.md(chosen.owner)}**; shared with {common.md(shared)}; latest version "
    f"{chosen.version}, saved {chosen.updated_at:%Y-%m-%d %H:%M} UTC by "
    f"{common.md(chosen.updated_by)}."
)
with st.expander(f"Version history of {pick}"):
    history = store.history(pick, user=user)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "version": v.version,
                    "saved": v.saved_at.strftime("%Y-%m-%d %H:%M UTC"),
                    "saved by": v.saved_by,
                }
                for v in history
            ]
        ),
        hide_index=True,
        key="sc_history",
    )
    versions = [v.version for v in history]
    h, i = st.columns([1, 2], vertical_alignment="bottom")
    version = h.selectbox("Version", versions, index=len(versions) - 1, key="sc_version")
    i.button(
        f"Load version {version}",
        key="sc_load_version",
        on_click=session_scenario.load_scenario,
        args=(store.load(pick, user=user, version=version),),
        icon=":material/history:",
        help="Every input takes that version's value; saving it again makes a new version.",
    )

# --- Compare ----------------------------------------------------------------------------------
st.subheader("Compare saved scenarios")
picked = st.multiselect("Scenarios to compare (2 to 4)", labels, max_selections=4, key="sc_compare")
if len(picked) < 2:
    st.caption("Pick two to four scenarios.")
    st.stop()
scenarios = [saved_list[labels.index(p)].scenario for p in picked]
results = [scenario_store.evaluate(s.to_json()) for s in scenarios]
table = scenario_table(results)
shown = readable_scenario_table(table)
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
)
st.caption("Highlighted rows differ between the scenarios.")
differences = assumption_differences(scenarios)
st.markdown("**Assumptions that differ**")
if differences.empty:
    st.caption("None: the scenarios have the same inputs.")
else:
    shown_diff = differences.astype(str)
    shown_diff["assumption"] = differences["assumption"].map(plain_assumption)
    st.dataframe(shown_diff, hide_index=True, width="stretch", key="sc_diff")
records = tuple(s.to_json() for s in scenarios)
report_args = (records, locale.lang(), locale.unit())  # read now: the download runs later
st.download_button(
    "Download the comparison report (PDF)",
    lambda: scenario_store.comparison_pdf(*report_args),
    file_name="vaultcover_comparison.pdf",
    mime="application/pdf",
    on_click="ignore",
    icon=":material/download:",
    key="sc_report",
)
