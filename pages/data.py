"""Data: upload TikTok exports (or use the sample), see what was recognised, map columns."""

import streamlit as st

from metrics.io import KIND_BY_NAME
from ui import loading, state
from ui.data_status import (
    conflict_choices,
    mapping_targets,
    notes,
    status_frame,
    unmapped_headers,
    yearless_files,
)
from ui.derived import default_end
from ui.format import escape_md
from ui.frame import page_setup

dataset = page_setup(
    "Data",
    "Drop the files TikTok gave you: Studio ZIPs, CSV or XLSX, "
    "Ads Manager reports. They stay in this browser session and are never stored.",
)

uploads = st.file_uploader(
    "TikTok Studio or Ads Manager exports (.zip, .csv, .xlsx)",
    accept_multiple_files=True,
    key=f"uploader_{st.session_state[state.UPLOAD_GENERATION]}",
    help="Overview, Content, Viewers and Followers ZIPs from TikTok Studio → Analytics → "
    "Download data; custom reports from Ads Manager → Reporting.",
)
if uploads:
    replace = st.session_state[state.SOURCE] == "sample"
    with st.spinner(f"Reading {len(uploads)} file(s)…"):
        loading.add_files([(f.name, f.getvalue()) for f in uploads], replace=replace)
    st.session_state[state.SOURCE] = "upload"
    st.session_state[state.UPLOAD_GENERATION] += 1
    st.rerun()

left, middle, right = st.columns(3)
if left.button("Load sample data", key="load_sample", width="stretch"):
    with st.spinner("Reading the sample exports…"):
        loading.load_sample()
    st.rerun()
if middle.button("Clear all data", key="clear_data", width="stretch"):
    loading.clear()
    st.rerun()
source = st.session_state[state.SOURCE]
right.caption(
    {
        "sample": "Showing the built-in sample account (northwind.coffee).",
        "upload": "Showing your uploaded files. New uploads are added to them.",
    }.get(source, "No data loaded.")
)

dataset = st.session_state[state.DATASET]
if dataset is not None:
    for report in dataset.errors:
        st.error(escape_md(report.error), icon=":material/block:")
    for warning in dataset.warnings:
        st.warning(escape_md(warning))
    for note in dataset.notes:
        st.info(escape_md(note), icon=":material/info:")
    window_end = default_end(dataset).reason  # files that end on different days
    if window_end:
        st.info(escape_md(window_end), icon=":material/event:")
    table = status_frame(dataset)
    if not table.empty:
        st.subheader("Tables found")
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="status_table",
            column_config={
                "Rows": st.column_config.NumberColumn(format="localized"),
                "First day": st.column_config.TextColumn(),
                "Last day": st.column_config.TextColumn(),
                # The widest column, so a note reads in full more often (all notes are in
                # full in the list below too).
                "Notes": st.column_config.TextColumn(width="large"),
            },
        )
        file_notes = notes(dataset)
        if file_notes:
            with st.expander(f"Notes on the files ({len(file_notes)})", icon=":material/info:"):
                for file, note in file_notes:
                    st.markdown(f"**{escape_md(file)}**: {escape_md(note)}")
    if dataset.currency:
        st.caption(f"Ads currency: {escape_md(dataset.currency)}")

choices = conflict_choices(dataset)
excluded = list(st.session_state.get(loading.EXCLUDED, []))
if choices or excluded:
    with st.expander("Downloads that disagree", expanded=bool(choices), icon=":material/warning:"):
        st.caption(
            "Two downloads of one table that disagree widely on the days they share are most "
            "likely two different accounts. Pick the one to analyse; the other is left out."
        )
        for kind, question, files in choices:
            both = "Both (the newer download wins on shared days)"
            pick = st.radio(question, [both, *files], key=f"conflict::{kind}::{'|'.join(files)}")
            if pick != both and st.button("Use only this one", key=f"use::{kind}::{pick}"):
                others = [(f, kind) for f in files if f != pick]
                loading.set_choices(excluded=[*excluded, *others])
                st.rerun()
        if excluded:
            st.markdown(
                "Left out: "
                + ", ".join(
                    f"{escape_md(f)} ({escape_md(KIND_BY_NAME[k].label)})" for f, k in excluded
                )
            )
            if st.button("Use every download again", key="include_all"):
                loading.set_choices(excluded=[])
                st.rerun()

yearless = yearless_files(dataset)
if yearless:
    with st.expander("Dates without a year", icon=":material/calendar_month:"):
        st.caption(
            "TikTok Studio writes dates without a year; the year was worked out from the other "
            "files or today. Uploading an export months after downloading it can put it in "
            "the wrong year: set the year of each file's newest day here."
        )
        years = dict(st.session_state.get(loading.YEARS, {}))
        for file, year in yearless:
            years[file] = int(
                st.number_input(
                    f"{file}: year of the newest day",
                    min_value=2016,
                    max_value=2100,
                    value=int(years.get(file, year)),
                    step=1,
                    key=f"year::{file}",
                )
            )
        if st.button("Apply years", key="apply_years"):
            loading.set_choices(years=years)
            st.rerun()

loaded = list(st.session_state[state.RAW])
if loaded:
    with st.expander("Remove files", icon=":material/delete:"):
        gone = st.multiselect("Files to remove", loaded, key="files_to_remove")
        if st.button("Remove", key="remove_files", disabled=not gone):
            loading.remove(gone)
            st.rerun()

unmapped = unmapped_headers(dataset)
if unmapped:
    refused = any(r.error and r.file in unmapped for r in dataset.reports)
    with st.expander("Columns not recognised: map them by hand", expanded=refused):
        st.caption(
            "TikTok translates some column names into your app language. Pick what each "
            "column means; every loaded file is read again with your choices."
        )
        current = dict(st.session_state[state.COLUMN_MAP])
        targets = mapping_targets()
        options = ["", *targets]
        for file, headers in unmapped.items():
            st.markdown(f"**{escape_md(file)}**")
            # Headers are file content: escaped as labels, and numbered in the key since a
            # file may repeat one ("Foo,Foo").
            for position, header in enumerate(headers[:30]):
                choice = st.selectbox(
                    escape_md(header),
                    options,
                    key=f"map::{file}::{position}::{header}",
                    index=options.index(current[header]) if current.get(header) in targets else 0,
                    format_func=lambda name: targets.get(name, "(leave it out)"),
                )
                if choice:
                    current[header] = choice
                else:
                    current.pop(header, None)
        if st.button("Apply mapping", key="apply_mapping", type="primary"):
            with st.spinner("Reading the files again with your mapping…"):
                loading.set_column_map(current)
            st.rerun()
