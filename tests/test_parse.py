"""Cell parsing: numbers and dates, with expected values worked out by hand."""

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics.io import load_files
from metrics.io.parse import (
    TIKTOK_UI_LOCALES,
    decimal_style,
    latest_year_not_after,
    parse_dates,
    parse_numbers,
    years_backwards,
    years_forwards,
)


def nums(values, hint=None):
    return parse_numbers(pd.Series(values, dtype="str"), hint)


def test_money_with_symbol_and_thousands():
    col = nums(["£1,234.56", "£950.00", "£0.50"])
    assert col.values.tolist() == [1234.56, 950.0, 0.5]
    assert col.currency == "GBP"


def test_decimal_comma_column_with_euro():
    col = nums(["€ 1.234,56", "€ 12,50", "€\u00a03,00"])
    assert col.values.tolist() == [1234.56, 12.5, 3.0]
    assert col.currency == "EUR"


def test_currency_codes_before_and_after():
    col = nums(["EUR 12,50", "7,25 EUR"])
    assert col.values.tolist() == [12.5, 7.25]
    assert col.currency == "EUR"


def test_percentages_become_fractions():
    assert nums(["1.20%", "0.5%", "100%"]).values.tolist() == pytest.approx([0.012, 0.005, 1.0])
    assert nums(["1,20%", "0,5%"]).values.tolist() == pytest.approx([0.012, 0.005])


def test_missing_tokens_are_missing_not_zero():
    col = nums(["--", "-", "undefined", "NAN", "", "12"])
    assert np.isnan(col.values.iloc[:5]).all()
    assert col.values.iloc[5] == 12.0
    assert col.unparsed_count == 0


def test_masked_cells_are_counted():
    col = nums(["<5", "10", "< 5", "7"])
    assert col.masked == 2
    assert col.values.iloc[1] == 10 and np.isnan(col.values.iloc[0])


def test_type_guessing_trap_parses_the_whole_column():
    # 1,000 plain cells, then cells with separators and symbols: nothing may be lost.
    values = ["950"] * 1000 + ["1,335.95", "£1,024.04"] * 100
    col = nums(values)
    assert col.values.notna().all()
    assert col.values.sum() == pytest.approx(950 * 1000 + (1335.95 + 1024.04) * 100)


def test_ambiguous_thousands_follow_the_file_hint():
    # "100.000" alone could be 100 or 100000; a decimal-comma file means 100000.
    assert nums(["100.000", "1.000"], hint="comma").values.tolist() == [100000.0, 1000.0]
    assert nums(["1.333", "2.500"], hint="dot").values.tolist() == [1.333, 2.5]
    assert nums(["1,234", "12,345"]).values.tolist() == [1234.0, 12345.0]


def test_decimal_style_decided_per_column():
    assert decimal_style(pd.Series(["1,234.56", "3.5"], dtype="str")) == "dot"
    assert decimal_style(pd.Series(["1.234,56", "3"], dtype="str")) == "comma"
    assert decimal_style(pd.Series(["1,20", "3"], dtype="str")) == "comma"
    assert decimal_style(pd.Series(["1,234", "3"], dtype="str")) is None
    assert decimal_style(pd.Series(["1.234.567"], dtype="str")) == "comma"


def test_xlsx_numbers_and_text_mixed():
    col = parse_numbers(pd.Series([12, 3.5, "£1,000.00", None], dtype=object))
    assert col.values.iloc[:3].tolist() == [12.0, 3.5, 1000.0]
    assert np.isnan(col.values.iloc[3])


def test_not_numbers_are_reported():
    col = nums(["12", "abc", "7"])
    assert col.unparsed_count == 1 and col.unparsed == ["abc"]


def dates(values, **kw):
    return parse_dates(pd.Series(values, dtype=object), **kw)


def test_iso_and_slashed_dates():
    col = dates(["2026-07-04", "2026/07/19", "2026/07/19 13:05"])
    assert col.values.dt.date.tolist() == [
        dt.date(2026, 7, 4),
        dt.date(2026, 7, 19),
        dt.date(2026, 7, 19),
    ]
    assert col.values.iloc[2].hour == 13


def test_day_first_decided_from_data():
    col = dates(["4-7-2026", "13-7-2026"])
    assert col.values.dt.date.tolist() == [dt.date(2026, 7, 4), dt.date(2026, 7, 13)]
    assert col.day_first is True and not col.ambiguous_order
    col = dates(["7/4/2026", "7/13/2026"])
    assert col.values.dt.date.tolist() == [dt.date(2026, 7, 4), dt.date(2026, 7, 13)]
    assert col.day_first is False


def test_ambiguous_order_is_flagged():
    col = dates(["4-7-2026", "5-7-2026"])
    assert col.ambiguous_order


def test_excel_date_cells_and_serials():
    col = dates([dt.datetime(2026, 7, 4), 46207.0])
    # 46207 days after 1899-12-30 is 2026-07-04.
    assert col.values.dt.date.tolist() == [dt.date(2026, 7, 4), dt.date(2026, 7, 4)]


@pytest.mark.parametrize(
    "text, month, day",
    [
        ("September 25", 9, 25),
        ("28 August", 8, 28),
        ("23. April", 4, 23),
        ("2 oktober", 10, 2),
        ("2. Oktober", 10, 2),
        ("2 octobre", 10, 2),
        ("2 de octubre", 10, 2),
        ("9月16日", 9, 16),
        ("18 tháng Sáu", 6, 18),
        ("1er janvier", 1, 1),
        ("Dienstag", None, None),
    ],
)
def test_yearless_dates_in_several_languages(text, month, day):
    col = dates([text])
    if month is None:
        assert col.unparsed_count == 1
    else:
        assert col.yearless
        assert (col.month[0], col.day[0]) == (month, day)


def test_years_walk_back_over_new_year():
    month = np.array([12, 12, 1, 1])
    day = np.array([30, 31, 1, 2])
    assert years_backwards(month, day, 2026).tolist() == [2025, 2025, 2026, 2026]
    assert years_forwards(month, day, 2025).tolist() == [2025, 2025, 2026, 2026]


def test_a_full_year_of_yearless_days():
    days = pd.date_range("2025-11-01", "2026-10-31")
    years = years_backwards(days.month.to_numpy(), days.day.to_numpy(), 2026)
    assert (years == days.year.to_numpy()).all()


def test_latest_year_not_after():
    assert latest_year_not_after(10, 31, dt.date(2026, 11, 22)) == 2026
    assert latest_year_not_after(12, 1, dt.date(2026, 11, 22)) == 2025
    assert latest_year_not_after(2, 29, dt.date(2026, 11, 22)) == 2024


def test_a_refused_table_offers_its_headers_and_a_column_map_rescues_it():
    data = b"Date,Abspielzahl,Likes\n2026/07/01,100,10\n2026/07/02,250,20\n"
    refused = load_files([("t.csv", data)], today=dt.date(2026, 11, 22))
    [report] = refused.reports
    assert report.kind is None and "t.csv" in report.error
    assert report.unrecognised == ["Date", "Abspielzahl", "Likes"]
    mapped = load_files(
        [("t.csv", data)], today=dt.date(2026, 11, 22), column_map={"abspielzahl": "video_views"}
    )
    assert mapped.reports[0].kind == "overview"
    assert mapped.get("overview")["video_views"].sum() == 350


def test_rows_sharing_an_ads_key_inside_one_file_are_a_breakdown_and_add_up():
    by_age = (
        b"Campaign name,Ad group name,Ad name,By Day,Age,Cost,Impressions\n"
        b"C,G,A,2026-07-01,18-24,10.00,1000\n"
        b"C,G,A,2026-07-01,25-34,20.00,3000\n"
        b"C,G,A,2026-07-01,35-44,5.00,500\n"
    )
    dataset = load_files([("age.csv", by_age)], today=dt.date(2026, 11, 22))
    ads = dataset.get("ads")
    assert len(ads) == 3 and ads["spend"].sum() == pytest.approx(35.0)
    assert any("breakdown" in w for w in dataset.notes)


def test_rows_sharing_an_ads_key_are_counted_whatever_their_order_in_the_file():
    # Worked by hand: (A, 07-01) three rows, (B, 07-01) two, (A, 07-02) one, (B, 07-02) one;
    # a row without an ad group shares nothing. Rows repeating a key before them: 2 + 1 = 3.
    rows = (
        b"Campaign name,Ad group name,Ad name,By Day,Age,Cost,Impressions\n"
        b"C,G,A,2026-07-01,18-24,1.00,10\n"
        b"C,G,B,2026-07-01,18-24,1.00,10\n"
        b"C,G,A,2026-07-02,18-24,1.00,10\n"
        b"C,G,A,2026-07-01,25-34,1.00,10\n"
        b"C,,A,2026-07-01,25-34,1.00,10\n"
        b"C,G,B,2026-07-02,25-34,1.00,10\n"
        b"C,G,B,2026-07-01,25-34,1.00,10\n"
        b"C,G,A,2026-07-01,35-44,1.00,10\n"
    )
    dataset = load_files([("age.csv", rows)], today=dt.date(2026, 11, 22))
    assert len(dataset.get("ads")) == 8
    [note] = [n for n in dataset.notes if "breakdown" in n]
    assert note.startswith("3 Ads Manager rows share")
    # The same count from the neighbour test on a frame with several Arrow chunks.
    from metrics.io.dataset import _shared_with_neighbour

    left = pd.Series(pd.array(["a", "a", "b", "b", None, "c"], dtype="str"))
    chunked = pd.concat([left.iloc[:3], left.iloc[3:]], ignore_index=True)
    days = pd.Series(pd.to_datetime(["2026-07-01"] * 6))
    frame = pd.DataFrame({"ad": chunked, "date": days})
    assert _shared_with_neighbour(frame, ["ad", "date"]) == 2  # a=a, b=b; None shares nothing


def test_two_ads_with_one_name_are_both_kept_and_overlaps_between_files_counted_once():
    same_name = (
        b"Campaign name,Ad group name,Ad name,Ad ID,By Day,Cost,Impressions\n"
        b"C,G,Video_1.mp4,1700000000000000001,2026-07-01,10.00,1000\n"
        b"C,G,Video_1.mp4,1700000000000000002,2026-07-01,20.00,3000\n"
    )
    one = load_files([("a.csv", same_name)], today=dt.date(2026, 11, 22))
    assert one.get("ads")["spend"].sum() == pytest.approx(30.0)
    # The same report downloaded twice: each ad's day is counted once, not twice.
    twice = load_files([("a.csv", same_name), ("b.csv", same_name)], today=dt.date(2026, 11, 22))
    assert twice.get("ads")["spend"].sum() == pytest.approx(30.0)
    assert any("overlapping" in w for w in twice.notes)


def test_dutch_excel_whole_numbers_with_dots_are_thousands():
    # A ";" file re-saved by Dutch Excel, with no decimal column to tell the style: 1.234
    # views are one thousand two hundred thirty-four, not 1.234 (a count cannot be a fraction).
    overview = (
        "\ufeffDate;Video Views;Profile Views;Likes;Comments;Shares\n"
        "1-7-2026;1.234;12;345;6;7\n2-7-2026;2.500;15;1.001;8;9\n3-7-2026;980;10;300;5;5\n"
    ).encode()
    frame = load_files([("o.csv", overview)], today=dt.date(2026, 11, 22)).get("overview")
    assert frame["video_views"].tolist() == [1234, 2500, 980]
    assert frame["likes"].tolist() == [345, 1001, 300]
    # And in an Ads report, with a decimal-comma frequency beside dotted thousands.
    ads = (
        b"Campaign name;Ad group name;Ad name;By Day;Impressions;Reach;Frequency\n"
        b"C;G;A;2026-07-01;4.000;3.000;1,333\nC;G;B;2026-07-01;3.000;2.000;1,500\n"
    )
    frame = load_files([("a.csv", ads)], today=dt.date(2026, 11, 22)).get("ads")
    assert frame["impressions"].tolist() == [4000, 3000]
    assert frame["frequency"].tolist() == [1.333, 1.5]


def test_excel_unicode_text_with_dotted_thousands():
    text = (
        "Datum\tVideoweergaven\tVind-ik-leuks\n2026/07/01\t1.234\t345\n2026/07/02\t2.500\t1.001\n"
    )
    data = b"\xff\xfe" + text.encode("utf-16-le")
    frame = load_files([("o.txt", data)], today=dt.date(2026, 11, 22)).get("overview")
    assert frame["video_views"].tolist() == [1234, 2500]


def test_a_studio_file_takes_the_year_nearest_to_the_other_files_not_before_them():
    # An Ads report ending 15 Oct 2026 and a Studio export ending "October 31": the Studio
    # file is from 2026 (16 days later), not 2025 (a year before the ads).
    ads = b"By Day,Campaign name,Ad group name,Ad name,Cost,Impressions\n2026-10-15,C,G,A,1,10\n"
    studio = (
        '"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
        '"October 30","10","1","1","1","1"\n"October 31","20","1","1","1","1"'
    ).encode("utf-8-sig")
    dataset = load_files([("a.csv", ads), ("Overview.csv", studio)], today=dt.date(2026, 11, 22))
    dates = dataset.get("overview")["date"].dt.date.tolist()
    assert dates == [dt.date(2026, 10, 30), dt.date(2026, 10, 31)]


def test_year_less_dates_in_descending_order():
    studio = (
        '"Date","Video Views","Profile Views","Likes","Comments","Shares"\n'
        '"January 2","1","1","1","1","1"\n"January 1","1","1","1","1","1"\n'
        '"December 31","1","1","1","1","1"\n"December 30","1","1","1","1","1"'
    ).encode("utf-8-sig")
    dataset = load_files([("Overview.csv", studio)], today=dt.date(2026, 11, 22))
    dates = sorted(dataset.get("overview")["date"].dt.date)
    assert dates == [
        dt.date(2025, 12, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 1, 2)
    ]  # fmt: skip


def test_a_report_mixing_currencies_row_by_row_is_flagged():
    mixed = (
        b"By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions\n"
        b"2026-07-01,C,G,A,GBP,10,100\n2026-07-01,C,G,B,EUR,20,100\n2026-07-01,C,G,C,EUR,30,100\n"
    )
    dataset = load_files([("m.csv", mixed)], today=dt.date(2026, 11, 22))
    [report] = dataset.reports
    assert any("mixes currencies (EUR, GBP)" in w for w in report.warnings)
    assert dataset.currency is None and dataset.currencies == ["EUR", "GBP"]


def test_operating_system_junk_inside_a_zip_is_skipped():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("Overview.csv", "Date,Video Views,Profile Views,Likes,Comments,Shares\n"
                    "2026-03-01,1,1,1,1,1\n")  # fmt: skip
        zf.writestr("Thumbs.db", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
        zf.writestr("desktop.ini", "[.ShellClassInfo]\n")
    dataset = load_files([("export.zip", buffer.getvalue())], today=dt.date(2026, 11, 22))
    assert [r.file for r in dataset.reports] == ["export.zip/Overview.csv"]
    assert not dataset.errors


def test_a_date_that_does_not_exist_is_reported():
    data = b"Date,Video Views,Profile Views,Likes,Comments,Shares\n2026-02-28,1,1,1,1,1\n2026-02-30,2,1,1,1,1\n"
    [report] = load_files([("o.csv", data)], today=dt.date(2026, 11, 22)).reports
    assert any(
        w.startswith("1 cell in") and "is not a date ('2026-02-30'); that row has no date." in w
        for w in report.warnings
    ), report.warnings


def test_follower_activity_hours_in_am_pm_and_clock_time():
    rows = ["12 AM", "1 AM", "11 AM", "12 PM", "1 PM", "11 PM"]
    data = '"Date","Hour","Active followers"\n' + "\n".join(
        f'"2026-07-01","{h}","{i}"' for i, h in enumerate(rows)
    )
    frame = load_files([("a.csv", data.encode())], today=dt.date(2026, 11, 22)).get(
        "follower_activity"
    )
    assert frame["hour"].tolist() == [0, 1, 11, 12, 13, 23]
    clock = '"Date","Hour","Active followers"\n"2026-07-01","00:00","5"\n"2026-07-01","13:00","6"'
    frame = load_files([("b.csv", clock.encode())], today=dt.date(2026, 11, 22)).get(
        "follower_activity"
    )
    assert frame["hour"].tolist() == [0, 13]


def test_a_notes_sheet_beside_a_report_sheet_is_passed_over():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    report = book.active
    report.title = "Report"
    report.append(["By Day", "Campaign name", "Ad group name", "Ad name", "Cost", "Impressions"])
    report.append([dt.datetime(2026, 7, 1), "C", "G", "A", 12.5, 1000])
    notes = book.create_sheet("Notes")
    notes.append(["Exported for the Q3 review"])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = load_files([("r.xlsx", buffer.getvalue())], today=dt.date(2026, 11, 22))
    assert [r.file for r in dataset.reports] == ["r.xlsx[Report]"] and not dataset.errors
    assert dataset.get("ads")["spend"].sum() == 12.5


def test_reports_in_two_currencies_get_no_single_currency_label():
    gbp = b"By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions\n2026-07-01,C,G,A,GBP,10,100\n"
    pln = b"By Day,Campaign name,Ad group name,Ad name,Currency,Cost,Impressions\n2026-07-01,C,G,B,PLN,40,100\n"
    dataset = load_files([("g.csv", gbp), ("p.csv", pln)], today=dt.date(2026, 11, 22))
    assert dataset.currency is None and dataset.currencies == ["GBP", "PLN"]
    assert any("different currencies (GBP, PLN)" in w for w in dataset.warnings)


def test_a_near_miss_says_which_column_is_still_missing():
    data = b"Date,Abspielzahl,Likes,Comments\n2026/07/01,1,2,3\n"
    [report] = load_files([("t.csv", data)], today=dt.date(2026, 11, 22)).reports
    assert "Closest: Overview (TikTok Studio), which still needs Video Views." in report.error


# Each language's dates as TikTok Studio writes them (year-less) or with a year; the month and
# day are read off the text by hand (March = 3, and so on).
@pytest.mark.parametrize(
    "language, text, month, day",
    [
        ("English", "March 24", 3, 24),
        ("English", "Mar 24", 3, 24),
        ("Dutch", "24 maart", 3, 24),
        ("Dutch", "24 mrt", 3, 24),
        ("German", "24. März", 3, 24),
        ("French", "24 mars", 3, 24),
        ("French", "24 févr.", 2, 24),
        ("Spanish", "24 de marzo", 3, 24),
        ("Portuguese", "24 de março", 3, 24),
        ("Italian", "24 marzo", 3, 24),
        ("Polish (genitive)", "24 marca", 3, 24),
        ("Polish (nominative)", "24 listopad", 11, 24),
        ("Greek (genitive)", "25 Φεβρουαρίου", 2, 25),
        ("Greek (abbreviated)", "25 Φεβ", 2, 25),
        ("Russian (genitive)", "24 марта", 3, 24),
        ("Russian (abbreviated)", "7 нояб.", 11, 7),
        ("Ukrainian (genitive)", "24 березня", 3, 24),
        ("Turkish", "24 Mart", 3, 24),
        ("Turkish (abbreviated)", "3 Oca", 1, 3),
        ("Indonesian", "24 Maret", 3, 24),
        ("Vietnamese (abbreviated)", "24 thg 12", 12, 24),
        ("Vietnamese (wide)", "24 tháng 12", 12, 24),
        ("Vietnamese (month first)", "thg 3 24", 3, 24),
        ("Thai (abbreviated)", "24 มี.ค.", 3, 24),
        ("Thai (wide)", "24 มีนาคม", 3, 24),
        ("Japanese", "3月24日", 3, 24),
        ("Korean", "3월 24일", 3, 24),
        ("Chinese", "3月24日", 3, 24),
        ("Arabic", "24 مارس", 3, 24),
        ("Arabic (Arabic-Indic digits)", "٢٤ مارس", 3, 24),
        ("Czech (genitive)", "24. listopadu", 11, 24),
        ("Romanian", "24 martie", 3, 24),
    ],
)
def test_yearless_dates_in_every_ui_language_from_cldr(language, text, month, day):
    col = dates([text])
    assert col.unparsed_count == 0, language
    assert col.yearless
    assert (col.month[0], col.day[0]) == (month, day), language


@pytest.mark.parametrize(
    "text, expected",
    [
        ("martes, 24 de marzo de 2026", dt.date(2026, 3, 24)),
        ("24 มีนาคม 2569", dt.date(2026, 3, 24)),  # Thai solar year: 2569 − 543
        ("2026년 3월 24일", dt.date(2026, 3, 24)),
        ("2026年3月24日", dt.date(2026, 3, 24)),
        ("Mar 24, 2026", dt.date(2026, 3, 24)),
        ("24 нояб. 2025", dt.date(2025, 11, 24)),
        ("25 Φεβρουαρίου 2026", dt.date(2026, 2, 25)),
    ],
)
def test_full_dates_with_month_names(text, expected):
    col = dates([text])
    assert col.values.iloc[0].date() == expected


def test_a_clock_time_after_a_month_name_keeps_its_hour():
    col = dates(["Sep 3, 2025 10:05 PM"])
    assert col.values.iloc[0] == pd.Timestamp("2025-09-03 22:05")


def test_a_greek_overview_gets_its_dates():
    text = (
        "Ημερομηνία,Video Views,Profile Views,Likes,Comments,Shares\n"
        "24 Φεβρουαρίου,100,1,10,1,0\n25 Φεβρουαρίου,200,2,20,2,1\n"
    )
    dataset = load_files([("Overview.csv", text.encode())], today=dt.date(2026, 3, 10))
    df = dataset.get("overview")
    assert df["date"].dt.date.tolist() == [dt.date(2026, 2, 24), dt.date(2026, 2, 25)]
    assert df["video_views"].sum() == 300


@pytest.mark.parametrize("locale", TIKTOK_UI_LOCALES)
def test_dates_written_by_cldr_in_every_ui_language_are_read_back(locale):
    """Babel writes seven known days in the language's own patterns (day and month, month and
    day, its medium and long dates); each must come back as that day."""
    from babel.dates import format_date

    known = [
        dt.date(2026, m, d)
        for m, d in ((1, 3), (2, 25), (3, 24), (5, 9), (8, 17), (11, 30), (12, 31))
    ]
    patterns = ["MMMM d", "MMM d", "medium", "long"]
    if locale[:2] not in ("ja", "ko", "zh"):  # "24 3月" is no pattern of theirs
        patterns += ["d MMMM", "d MMM"]
    for pattern in patterns:
        texts = [format_date(day, pattern, locale=locale) for day in known]
        col = dates(texts)
        for i, (text, day) in enumerate(zip(texts, known, strict=True)):
            if pd.notna(col.values.iloc[i]):
                assert col.values.iloc[i].date() == day, (pattern, text)
            else:
                assert col.month is not None, (pattern, text)
                assert (col.month[i], col.day[i]) == (day.month, day.day), (pattern, text)


def test_english_month_and_territory_names_mean_the_same_in_every_language_table():
    # The importer reads English first and builds the 42 languages' tables only for a name
    # English does not know; that is only safe if no English name means something else (or
    # is dropped as ambiguous) in the full table.
    from metrics.io.labels import territory_codes
    from metrics.io.parse import FIRST_LOCALES, month_names

    english, full = month_names(FIRST_LOCALES), month_names()
    assert english["october"] == 10 and english["oct"] == 10 and english["may"] == 5
    assert {k: full.get(k) for k in english} == english
    english_t, full_t = territory_codes(FIRST_LOCALES), territory_codes()
    assert english_t["united kingdom"] == "GB" and english_t["de"] == "DE"
    assert {k: full_t.get(k) for k in english_t} == english_t


def test_english_dates_do_not_build_the_other_languages_tables():
    from metrics.io import parse

    parse.month_names.cache_clear()
    parse._month_pattern.cache_clear()
    column = parse.parse_dates(pd.Series(["Oct 4, 2026", "October 5, 2026", "Nov 30, 2026"]))
    assert list(column.values.dt.strftime("%Y-%m-%d")) == ["2026-10-04", "2026-10-05", "2026-11-30"]
    assert parse.month_names.cache_info().currsize == 1  # English only
    greek = parse.parse_dates(pd.Series(["25 Φεβρουαρίου 2026"]))  # then the full table
    assert greek.values.iloc[0] == pd.Timestamp("2026-02-25")
    assert parse.month_names.cache_info().currsize == 2


def test_counts_in_sentences_agree_in_number():
    from metrics.wording import agree, counted

    assert counted(1, "row") == "1 row" and counted(60, "row") == "60 rows"
    assert counted(1234, "cell") == "1,234 cells" and counted(0, "day") == "0 days"
    assert counted(2, "entry", "entries") == "2 entries"
    assert agree(1, "is", "are") == "is" and agree(3, "is", "are") == "are"


def test_the_file_decimal_hint_is_the_majority_and_nothing_on_an_even_split():
    from metrics.io.tables import file_decimal_hint

    assert file_decimal_hint([None, None]) is None
    assert file_decimal_hint(["comma", None, "comma", "dot"]) == "comma"
    assert file_decimal_hint(["dot", "dot", "comma"]) == "dot"
    assert file_decimal_hint(["dot", "comma"]) is None
    assert file_decimal_hint(["comma", None, "dot", "comma", "dot"]) is None


def test_an_even_split_of_decimal_marks_reads_the_same_in_every_process():
    # Cost says comma ("12,50"), CPC says dot ("0.25"): the file does not say which mark is
    # the decimal one, so Frequency's "1,125" keeps the plain reading (1,125 = 1125) in every
    # process. It used to follow the order of a set of strings, i.e. the hash seed: seeds 0
    # and 1 gave 1.125 and 1125.
    import subprocess
    import sys

    code = (
        "from metrics.io import load_files\n"
        "csv = ('By Day,Campaign name,Ad group name,Ad name,Currency,Cost,CPC (destination),"
        'Frequency\\n2026-10-01,Spring,Group A,Video 1,EUR,"12,50",0.25,"1,125"\\n'
        '2026-10-02,Spring,Group A,Video 1,EUR,"10,75",0.5,"1,250"\\n\')\n'
        "ads = load_files([('report.csv', csv.encode())]).get('ads')\n"
        "print(ads['spend'].tolist(), ads['cpc'].tolist(), ads['frequency'].tolist())\n"
    )
    root = Path(__file__).resolve().parent.parent
    for seed in ("0", "1"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out == "[12.5, 10.75] [0.25, 0.5] [1125.0, 1250.0]", (seed, out)


def test_first_seen_order_of_category_codes_by_hand():
    from metrics.io.parse import _first_seen_order

    assert _first_seen_order(np.array([0, 0, 1, -1, 2, 1]), 3)  # a, a, b, ·, c, b
    assert _first_seen_order(np.array([-1, 0, 1]), 2)
    assert not _first_seen_order(np.array([1, 0]), 2)  # b appears before a
    assert not _first_seen_order(np.array([0, 2, 1]), 3)  # c before b
    assert not _first_seen_order(np.array([0, 1]), 3)  # the third category is never used
    assert _first_seen_order(np.array([], dtype=np.int64), 0)
    assert not _first_seen_order(np.array([-1, -1]), 1)


def test_distinct_of_a_dictionary_column_matches_factorize_whatever_its_category_order():
    from metrics.io.parse import distinct

    cells = ["b", None, "a", "b", "c", None, "a"]
    # By hand, in order of first appearance: b → 0, a → 1, c → 2; missing → -1.
    expected = [0, -1, 1, 0, 2, -1, 1]
    seen = pd.Series(cells, dtype="category").cat.reorder_categories(["b", "a", "c"])
    for column in (
        seen,  # as Arrow's reader builds it
        seen.cat.reorder_categories(["c", "b", "a"]),
        seen.cat.add_categories(["unused"]),
    ):
        codes, uniques = distinct(column)
        assert codes.tolist() == expected
        assert uniques.tolist() == ["b", "a", "c"]
