"""Report templates (JSON round trip, validation) and spreadsheet-safe exports."""

import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from metrics.export import neutralise, to_csv_bytes, to_xlsx_bytes
from metrics.templates import BUILTIN, TemplateError, get_template, load_template


def test_builtin_templates_are_the_seed_ones():
    assert BUILTIN["creative_performance"].metrics == ("ctr", "hook_rate", "completion_rate", "cpc")
    assert BUILTIN["creative_performance"].level == "ad"
    assert BUILTIN["funnel_analysis"].metrics == (
        "cost_per_landing_page_view",
        "cost_per_add_to_cart",
        "roas",
    )
    assert get_template("Creative performance") is BUILTIN["creative_performance"]


def test_user_template_round_trip():
    text = json.dumps(
        {
            "name": "My hooks",
            "level": "ad_group",
            "metrics": ["spend", "hook_rate"],
            "days": 60,
            "custom_columns": [
                {
                    "name": "cost_per_2s",
                    "expression": "spend / video_watched_2s",
                    "unit": "currency",
                }
            ],
        }
    )
    template = load_template(text)
    assert template.level == "ad_group" and template.days == 60
    assert template.custom[0].name == "cost_per_2s" and template.custom[0].unit == "currency"
    assert load_template(template.to_json()) == template


@pytest.mark.parametrize(
    "payload, fragment",
    [
        ("not json", "not valid json"),
        ("[1, 2]", "one json object"),
        ('{"level": "ad", "metrics": []}', "needs a name"),
        ('{"name": "x", "level": "country", "metrics": []}', "level 'country'"),
        ('{"name": "x", "level": "ad", "metrics": ["spendd"]}', "unknown metric"),
        ('{"name": "x", "level": "ad", "metrics": [], "days": 30}', "'days' must be one of"),
        (
            '{"name": "x", "level": "ad", "metrics": [], "custom_columns": '
            '[{"name": "y", "expression": "__import__(1)"}]}',
            "not allowed",
        ),
    ],
)
def test_bad_templates_are_refused_clearly(payload, fragment):
    with pytest.raises(TemplateError) as err:
        load_template(payload)
    assert fragment in str(err.value).lower()


def test_formula_cells_are_neutralised():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+1") == "'+1" and neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("Latte pour – v1") == "Latte pour – v1"
    assert neutralise(-5) == -5  # numbers stay numbers


def test_csv_and_xlsx_exports_are_safe():
    df = pd.DataFrame(
        {"ad": ["=1+1 latte", "-cmd|' /C calc'!A0", "plain"], "spend": [1.5, -2.0, 3.0]}
    )
    text = to_csv_bytes(df).decode("utf-8-sig")
    assert "'=1+1 latte" in text and "'-cmd" in text and "-2.0" in text
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df)))
    cells = book.active["A"][1:]
    # In XLSX a text cell is text: no visible apostrophe, Excel's hidden quote prefix instead.
    assert [c.value for c in cells] == ["=1+1 latte", "-cmd|' /C calc'!A0", "plain"]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, False]
    assert [c.value for c in book.active["B"]][1:] == [1.5, -2.0, 3.0]


def test_no_eval_or_exec_in_the_code():
    root = Path(__file__).resolve().parent.parent
    for path in [*root.glob("metrics/**/*.py"), *root.glob("ui/**/*.py"), *root.glob("pages/*.py")]:
        source = path.read_text("utf-8")
        assert not re.search(r"(?<![\w.])(eval|exec)\s*\(", source), path
        assert "unsafe_allow_html=True" not in source, path


def test_xlsx_shows_ratios_as_percentages_and_counts_with_separators():
    import io

    import openpyxl

    df = pd.DataFrame({"Ad": ["=HYPERLINK(1)"], "CTR": [0.0192], "Impressions": [5395286.0]})
    data = to_xlsx_bytes(df, units={"CTR": "ratio", "Impressions": "count"})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"  # text
    assert sheet["A2"].quotePrefix
    assert sheet["B2"].value == 0.0192 and sheet["B2"].number_format == "0.00%"
    assert sheet["C2"].number_format == "#,##0"


def test_marketer_download_has_labels_and_per_mille_in_per_mille():
    from ui.widgets import download_frame

    frame = pd.DataFrame({"campaign": ["C"], "spend": [10.0], "ctr": [0.01], "pm": [0.0123]})
    out, units = download_frame(frame, "ads", "GBP", {"pm": "per_mille"})
    assert list(out.columns) == ["Campaign", "Spend (GBP)", "CTR", "pm (‰)"]
    assert out["pm (‰)"].iloc[0] == pytest.approx(12.3)
    assert units == {"Spend (GBP)": "currency", "CTR": "ratio", "pm (‰)": "per_mille"}


def test_xlsx_names_like_discounts_show_without_an_apostrophe_and_no_temp_file(monkeypatch):
    import io
    import tempfile

    import openpyxl

    def no_temp_files(*args, **kwargs):
        raise AssertionError("the XLSX must be built in memory")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temp_files)
    df = pd.DataFrame({"Ad": ["-20% off", "+1 bundle", "@home"], "Spend": [1.0, 2.0, 3.0]})
    data = to_xlsx_bytes(df)
    monkeypatch.undo()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet["A"][1:]] == ["-20% off", "+1 bundle", "@home"]
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    # CSV has no types: there the apostrophe is the only guard, so it stays.
    assert "'-20% off" in to_csv_bytes(df).decode("utf-8-sig")
