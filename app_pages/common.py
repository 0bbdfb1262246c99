"""App-layer helpers: cached calls into ``pricing`` and the shared data-source control.

Caching lives here, never in ``pricing``. Functions return library objects; pages only draw.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pricing.calibration import Calibration, CalibrationSpec, calibrate
from pricing.data import Exposure, IncidentData, load_exposure, load_incidents
from pricing.exceptions import DataValidationError

UPLOAD_KEY = "incident_upload"


@st.cache_data(show_spinner=False, max_entries=8)
def incidents(upload: bytes | None = None) -> IncidentData:
    """The shipped incidents, or an uploaded file (raises DataValidationError)."""
    return load_incidents(upload) if upload is not None else load_incidents()


@st.cache_data(show_spinner=False)
def exposure() -> Exposure:
    """The shipped yearly exposure base."""
    return load_exposure()


@st.cache_data(show_spinner="Fitting the loss models…", max_entries=32)
def calibration(spec: CalibrationSpec, upload: bytes | None = None) -> Calibration:
    """Fitted frequency and severity models for a set of modelling choices."""
    return calibrate(spec, incidents(upload), exposure())


def problems_table(error: DataValidationError) -> pd.DataFrame:
    """Validation problems as a table a user can scan (line, column, what is wrong)."""
    return pd.DataFrame(
        [{"line": p.line, "column": p.column or "", "problem": p.message} for p in error.problems]
    )


def active_upload() -> bytes | None:
    """Bytes of the user's incident file if one was uploaded and is valid, else None."""
    stored = st.session_state.get(UPLOAD_KEY)
    if not stored:
        return None
    try:
        incidents(stored["bytes"])
    except DataValidationError:
        return None
    return stored["bytes"]


def data_source_control() -> IncidentData:
    """Control to use the shipped incidents or upload a CSV; returns the data in use.

    An invalid upload shows every problem (line, column, reason) and the shipped data stays
    in use; it never raises.
    """
    file = st.file_uploader(
        "Upload your own incident CSV",
        type=["csv"],
        key="incident_file",
        help="Same columns as the shipped data/incidents.csv (see data/README.md). Every "
        "problem is listed with its line and column; nothing is silently dropped.",
    )
    if file is not None:
        st.session_state[UPLOAD_KEY] = {"bytes": file.getvalue(), "name": file.name}
    stored = st.session_state.get(UPLOAD_KEY)
    if stored:
        try:
            incidents(stored["bytes"])
            st.success(f"Using {stored['name']}.")
        except DataValidationError as err:
            st.error(
                f"{stored['name']} was not loaded: {len(err.problems)} problem(s), listed "
                "below. The shipped data stays in use."
            )
            st.dataframe(
                problems_table(err), hide_index=True, width="stretch", key="upload_problems"
            )
        if file is None and st.button("Back to the shipped data", key="drop_upload"):
            st.session_state.pop(UPLOAD_KEY, None)
            st.rerun()
    upload = active_upload()
    if upload is None:
        st.caption(
            "Using the shipped incident history (data/incidents.csv), every row "
            "with its public source."
        )
    return incidents(upload)
