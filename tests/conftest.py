"""Shared fixtures: the sample data set, loaded once per test session; for the browser tests
one `streamlit run` of the app and one headless Chromium, started once per test session.

Under xdist (`-n 2`) the controller, which runs no tests, starts the browser tests' servers
(the shared one, and the injection test's own in empty folders) as soon as it is configured,
so they start while the workers are still importing and collecting; the worker that gets
the browser group only waits for them to answer. Without -n each fixture starts its own."""

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest

from metrics.io import load_files

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def sample_files() -> list[tuple[str, bytes]]:
    return [
        (p.name, p.read_bytes())
        for p in sorted(SAMPLE.iterdir())
        if p.suffix.lower() in (".zip", ".csv", ".xlsx")
    ]


@pytest.fixture(scope="session")
def sample_dataset():
    return load_files(sample_files(), today=dt.date(2026, 11, 22))


@pytest.fixture(scope="session", autouse=True)
def _component_scan_once():
    """Every `AppTest` scans the metadata of every installed package for Streamlit components
    (streamlit.components.v2.manifest_scanner), where `streamlit run` scans once at start:
    about 0.3 s of CPU per AppTest, a third of test_pages.py's CPU (cProfile). The installed
    packages do not change during a test run, so each test process scans once and every
    AppTest gets that list (a copy of it; the components in it are only registered, never
    changed). Nothing is imported here that the tests do not import anyway."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # a Streamlit without components v2: nothing to scan
        yield
        return
    scan = manifest_scanner.scan_component_manifests
    found: dict = {}

    def scan_once(max_workers=None):
        if max_workers not in found:
            found[max_workers] = scan(max_workers)
        return list(found[max_workers])

    manifest_scanner.scan_component_manifests = scan_once
    yield
    manifest_scanner.scan_component_manifests = scan


# Modules whose tests take seconds each (whole pages, fuzzing, every import fixture twice):
# under -n they are scheduled before the quick ones (pytest_collection_modifyitems).
SLOW_FIRST = frozenset(
    {
        "test_robustness.py",
        "test_fuzz.py",
        "test_import_memory.py",
        "test_bad_files.py",
        "test_chart_ticks.py",
        "test_compare.py",
        "test_limits.py",
        "test_loading_cache.py",
        "test_import_fixtures.py",
        "test_pages.py",
        "test_cli.py",
        "test_diagnostics.py",
    }
)


# Modules whose tests share an expensive module-scoped result (test_limits: one child process
# measuring every worst case, ~10 s; test_chart_ticks: one AppTest session per window;
# test_sample_data: every sample file read once): one xdist group each, so under -n the
# result is made once per run, not once on each worker that gets some of the tests.
SHARED_MODULE_RESULTS = frozenset({"test_limits.py", "test_chart_ticks.py", "test_sample_data.py"})
SAME_FIXTURE_LOAD = frozenset(
    {
        "test_memory_mapped_files_read_exactly_as_bytes",
        "test_files_read_ahead_read_exactly_as_bytes",
    }
)


# The browser tests in two xdist groups of about equal time (measured), one per worker under
# -n 2, both against the one `streamlit run` the controller started (the injection test:
# its own), each worker with its own Chromium. A browser test waits on the server and on
# Chromium in turn, so one browser worker leaves much of the two cores idle: two of them
# halve the browser tests' share of the run. A test not named here is in the second half.
BROWSER_FIRST_HALF = frozenset(
    {
        "test_payloads_stay_text_and_nothing_lands_on_disk",
        "test_every_page_renders_with_the_badge_and_no_cut_cards[1440]",
        "test_every_page_renders_with_the_badge_and_no_cut_cards[390]",
        "test_custom_column_and_csv_download",
        "test_a_post_on_a_phone",
        "test_sample_data_shows_on_the_data_page",
        "test_the_sidebar_closes_after_a_choice_on_a_phone",
    }
)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark every test of test_browser*.py `browser`, so `-m "not browser"` is the quick run,
    and put them in two xdist groups (BROWSER_FIRST_HALF): under the README's
    `-n 2 --dist loadgroup` each worker runs one half against the shared server with its own
    Chromium, then the rest (without -n the groups do nothing)."""
    for item in items:
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)
            half = 1 if item.name in BROWSER_FIRST_HALF else 2
            item.add_marker(pytest.mark.xdist_group(f"browser-{half}"))
        elif item.path.name in SHARED_MODULE_RESULTS:
            item.add_marker(pytest.mark.xdist_group(f"module-{item.path.name}"))
        elif item.originalname in SAME_FIXTURE_LOAD:
            # The memory-mapped and the read-ahead load of one import fixture are both
            # compared with its load from bytes, made once per process (tests/_datasets.py):
            # the two run on one worker, so it is made once per run.
            item.add_marker(pytest.mark.xdist_group(f"import-{item.callspec.params['case']}"))
    if hasattr(config, "workerinput"):  # an xdist worker (-n; workers are not given -n)
        # xdist hands the other tests out one at a time in this order: the slow modules
        # first, so the run does not end with one worker on a 10-25 s test while the other
        # waits (measured: test_mangled_csv_never_raises started last, a 12 s tail).
        items.sort(key=lambda item: item.path.name not in SLOW_FIRST)  # stable: else as is


# The servers the xdist controller started: {"app": url, "injection": url, "injection_dirs": …}.
_EARLY: dict = {}


def _browser_tests_may_run(config) -> bool:
    from tests._server import CHROMIUM

    if "not browser" in (config.option.markexpr or "") or not Path(CHROMIUM).exists():
        return False
    for arg in config.args or [str(ROOT / "tests")]:
        path = Path(config.invocation_params.dir, arg.split("::")[0])
        if path.is_dir() or path.name.startswith("test_browser"):
            return True
    return False


def pytest_configure(config):
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return  # a worker, or a run without xdist: the fixtures start what they need
    if not _browser_tests_may_run(config):
        return
    from tests._server import TEST_OPTIONS, AppServer

    base = Path(tempfile.mkdtemp(prefix="metrics-injection-"))
    dirs = {name: base / name for name in ("tmp", "home", "work")}
    for d in dirs.values():
        d.mkdir()
    env = {"TMPDIR": str(dirs["tmp"]), "HOME": str(dirs["home"])}
    servers = [
        AppServer(options=TEST_OPTIONS).spawn(),
        AppServer(cwd=dirs["work"], env=env, options=TEST_OPTIONS).spawn(),
    ]
    _EARLY.update(
        app=servers[0].url,
        injection=servers[1].url,
        injection_dirs={k: str(v) for k, v in dirs.items()},
        servers=servers,
        base=base,
    )


def pytest_unconfigure(config):
    servers = _EARLY.pop("servers", [])
    for server in servers:  # all asked to stop first, then each waited for
        if server.proc is not None and server.proc.poll() is None:
            server.proc.terminate()
    for server in servers:
        server.stop()
    if "base" in _EARLY:
        shutil.rmtree(_EARLY.pop("base"), ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist (controller): hand the early servers' addresses to each worker."""
    for key in ("app", "injection", "injection_dirs"):
        if key in _EARLY:
            node.workerinput[f"metrics_{key}"] = _EARLY[key]


@pytest.fixture(scope="session")
def app_server(request):
    """One server for every browser test that needs no folders of its own (tests/_server.py)."""
    from tests._server import TEST_OPTIONS, AppServer, Started, early_server

    early = early_server(request, "app")
    if early:
        yield Started(early[0])
        return
    with AppServer(options=TEST_OPTIONS) as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run; each test opens its own page or context."""
    from playwright.sync_api import expect, sync_playwright

    from tests._server import CHROMIUM, CHROMIUM_ARGS

    # An `expect` waits until its condition holds; 5 s (Playwright's default) is too short
    # for a page switch while the other xdist worker has the second core (-n 2).
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def chromium_shared(chromium):
    """The session's Chromium with one shared context for tabs that need nothing of their own
    (tests/_server.py's SharedContext: the app's scripts are loaded and compiled once)."""
    from tests._server import CONTEXT_OPTIONS, SharedContext

    context = chromium.new_context(
        viewport={"width": 1280, "height": 720}, accept_downloads=True, **CONTEXT_OPTIONS
    )
    yield SharedContext(chromium, context)
    context.close()
