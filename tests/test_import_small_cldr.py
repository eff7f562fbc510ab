"""The English month and territory tables written out in metrics/io/cldr_en.py (so an English
file is read without Babel) are exactly the ones Babel's CLDR data gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_english_months_written_out_are_babels():
    from metrics.io import parse

    written = parse.month_names(("en",))
    assert written == parse._cldr_month_names(("en",))
    # By hand: twelve full names and eleven short ones ("May" is both, so once).
    assert len(written) == 23
    assert written["september"] == 9 and written["sep"] == 9 and written["may"] == 5
    assert "sept" not in written  # an extra spelling of the full table only


def test_english_territories_written_out_are_babels():
    from metrics.io import labels

    written = labels.territory_codes(("en",))
    assert written == labels._cldr_territory_codes(("en",))
    assert written["united kingdom"] == "GB" and written["uk"] == "GB"
    assert written["gb"] == "GB" and written["germany"] == "DE" and written["u.s"] == "US"


def test_the_tables_are_copies():
    from metrics.io import labels, parse
    from metrics.io.cldr_en import MONTHS, TERRITORIES

    assert parse.month_names(("en",)) is not MONTHS
    assert labels.territory_codes(("en",)) is not TERRITORIES


def test_an_english_inspect_does_not_import_babel():
    # The sample's files are English (month names in Content and Follower history, territory
    # names in Top territories): nothing of Babel is loaded to read them.
    code = (
        "import sys, glob, io, contextlib\n"
        "from metrics.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    status = main(['inspect', *sorted(glob.glob('sample_data/*'))])\n"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "[]"], out.stdout + out.stderr
