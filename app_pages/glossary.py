"""Glossary and sources: the terms Japanese practitioners use, and every source a rule cites."""

import pandas as pd
import streamlit as st

from app_pages import locale
from app_pages.locale import t
from app_pages.page_text import EMPTY
from pricing.i18n import glossary
from pricing.regulation.references import REFERENCES

TOPICS = ("regulation", "insurance", "risk")
GRADES = {
    "P": "primary text (law, regulator, rulebook)",
    "S": "reputable secondary (newspaper of record, law firm, research)",
    "W": "weak secondary: a placeholder to confirm",
}

st.title(t("Glossary and sources"))

st.header(t("Glossary"))
topics = st.multiselect(
    t("Topics"),
    TOPICS,
    default=list(TOPICS),
    format_func=locale.labels(TOPICS).get,
    key="glossary_topics",
)
japanese = locale.lang() == "ja"
terms = pd.DataFrame([g for g in glossary() if g["topic"] in topics])
if terms.empty:
    st.info(t("Pick at least one topic."))
else:
    table = pd.DataFrame(
        {
            t("Term"): terms["ja"] if japanese else terms["en"],
            t("In English") if japanese else t("In Japanese"): (
                terms["en"] if japanese else terms["ja"]
            ),
            t("Reading"): terms["reading"],
            t("Meaning"): terms["meaning_ja"] if japanese else terms["meaning_en"],
            t("Topic"): terms["topic"].map(t),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="glossary_table", placeholder=EMPTY)

st.header(t("Sources of the regulatory rules"))
st.caption(
    t(
        "Each regime's requirements cite these sources by key. Grade P is the primary text, "
        "S a reputable secondary source, W a weak secondary source kept only until a better "
        "one is found. As of: the date the source speaks for."
    )
)
references = pd.DataFrame(
    [
        {
            "key": r.ref,
            "title": r.title,
            "grade": r.grade,
            "as_of": r.as_of or "—",
            "link": r.urls[0] if r.urls else None,
            "more": " ".join(r.urls[1:]) or "—",
        }
        for r in REFERENCES.values()
    ]
)
st.dataframe(
    references,
    hide_index=True,
    width="stretch",
    key="references_table",
    column_config={
        "key": t("Key"),
        "title": t("Source"),
        "grade": st.column_config.TextColumn(
            t("Grade"), help=" · ".join(f"{k}: {t(v)}" for k, v in GRADES.items())
        ),
        "as_of": t("As of"),
        "link": st.column_config.LinkColumn(t("Link")),
        "more": t("Further links"),
    },
    placeholder=EMPTY,
)
st.header(t("Sources of the incident data"))
st.markdown(
    t(
        "Every theft in the incident data cites the platform's statement, a regulator, court "
        "or police document, a newspaper of record, a specialist newsroom or a forensics "
        "firm; the Loss history page lists each row with its link."
    )
)
st.page_link("app_pages/history.py", label=t("Loss history"), icon=":material/history:")
