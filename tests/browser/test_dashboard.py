"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright) on the demo
data: every page loads, a filter is used, what is shown is asserted, screenshots are saved to
test-artifacts/screenshots. Skipped without Chromium or Playwright, except in CI, where it fails."""

from __future__ import annotations

import csv
import io
import itertools
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore
from mmrare.api.policy import ReleasePolicy
from mmrare.api.service import GraphService
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NodeRef
from mmrare.graph.store import RelRow
from mmrare.scoring.stats import RESAMPLES
from tests.support.browser import CHROMIUM, FLAGS, need_browser
from tests.support.demo_graph import DemoGraphs

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def serving(
    demo: DemoGraphs,
    tmp: Path,
    policy: ReleasePolicy | None = None,
    extra: Callable[[EmbeddedStore], None] | None = None,
) -> Iterator[dict]:
    """A copy of the demo served on a free port with a maintainer and an evaluator key; the evaluator
    owns the runs of one model (phenotype-ranker). `extra` adds to the copy before it is served."""
    need_browser()
    import uvicorn

    store, blobs = demo.copy(tmp)
    if extra is not None:
        extra(store)
    keys = KeyStore(tmp / "keys.json")
    maintainer, evaluator = keys.create("m", "maintainer"), keys.create("e", "evaluator")
    owned = [n.ref.key for n in store.select("Run") if n.props["model"] == OWNED_MODEL]
    store.upsert_nodes("Run", [{"runId": r, "owner": "e"} for r in owned])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(GraphService(store, blobs, policy), keys, tmp / "thumbs"),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}/", "maintainer": maintainer, "evaluator": evaluator, "store": store}
    server.should_exit = True


OWNED_MODEL = "phenotype-ranker"


@pytest.fixture(scope="module")
def site(demo_graphs: DemoGraphs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    yield from serving(demo_graphs, tmp_path_factory.mktemp("site"))


def _with_phenopacket_store(store: EmbeddedStore) -> None:
    """The real phenopacket-store excerpt and GPT-4o's English and German answers for it."""
    from mmrare.importers.pheval_results import import_study_results
    from tests.support.phenopackets import RESULTS, with_packets

    with_packets(store)
    import_study_results([RESULTS], store)


@pytest.fixture(scope="module")
def three_benchmarks_site(demo_graphs: DemoGraphs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The demo (MMRareBench and MRareBench, synthetic) with the phenopacket-store excerpt (real)."""
    yield from serving(demo_graphs, tmp_path_factory.mktemp("three"), extra=_with_phenopacket_store)


@pytest.fixture(scope="module")
def held_out_site(demo_graphs: DemoGraphs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    yield from serving(demo_graphs, tmp_path_factory.mktemp("held"), ReleasePolicy("held-out", min_group=5))


@pytest.fixture(scope="module")
def browser(site: dict) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def laptop_context(browser: object) -> object:
    # Playwright's wait_for_function evaluates strings, which the dashboard's CSP forbids; the CSP itself
    # is tested on its own (test_charts_run_under_the_dashboard_s_own_policy)
    return browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)  # a laptop screen


@pytest.fixture(scope="module")
def laptop(browser: object) -> Iterator[object]:
    """One browser profile for the module's tabs, as one person's browser: its cache keeps plotly.js
    compiled between tests (a new profile spends about two seconds on it)."""
    context = laptop_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(laptop: object) -> Iterator[object]:
    """A new tab of the shared profile (its session storage is its own), which leaves nothing stored
    for the next test: the key a test saved is cleared from every origin that holds one."""
    tab = laptop.new_page()
    yield tab
    tab.unroute_all()
    for origin in laptop.storage_state()["origins"]:
        tab.goto(origin["origin"] + "/nothing-here")  # a page of the origin, without the dashboard's scripts
        tab.evaluate("localStorage.clear()")
    assert laptop.storage_state()["origins"] == []
    tab.close()


@pytest.fixture
def fresh_page(browser: object) -> Iterator[object]:
    """A tab of a profile of its own: an empty cache."""
    context = laptop_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def strict_page(browser: object) -> Iterator[object]:
    """A tab that enforces each page's Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def open_page(page: object, site: dict, name: str, key: str | None = None) -> None:
    """One load of the view (the key, when given, is in localStorage before any script runs)."""
    if key:
        page.add_init_script(f"localStorage.setItem('mmrare-key', {key!r})")
    page.goto("about:blank")  # so that a view already open loads again
    page.goto(f"{site['url']}#{name}")
    page.wait_for_selector(f"main[data-loaded='{name}']", timeout=15000)


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


MODELS = {"category-only", "noisy-oracle", "phenotype-ranker"}


def test_leaderboard(page: object, site: dict) -> None:
    open_page(page, site, "leaderboard")
    shot(page, "leaderboard")
    tables = page.locator("main table")
    assert tables.count() == 4
    # the headline first: the authors' evaluator's own keys, per model and track
    reference = page.locator("#reference-keys")
    assert tables.first.get_attribute("id") == "reference-keys"
    rows = [tr.locator("th, td").all_inner_texts() for tr in reference.locator("tbody tr").all()]
    diagnosis = {r[0]: r[2] for r in rows if r[1] == "diagnosis"}
    assert set(diagnosis) == MODELS and all(k.startswith("diagnosis_f1 ") for k in diagnosis.values())
    assert any(r[1] == "treatment" and r[2].startswith("substring_match ") for r in rows)
    judge = page.locator("#board-offline")
    models = judge.locator("tbody th").all_inner_texts()
    assert set(models) == MODELS
    headers = judge.locator("thead th").all_inner_texts()
    assert headers[:5] == ["Rank", "Model", "Family", "Domain", "Params"]
    assert judge.locator("thead th").first.get_attribute("aria-sort") == "ascending"
    assert headers[5:] == [
        "diagnosis",
        "treatment",
        "crossmodal",
        "examination",
        "common items",
        "micro (own items)",
        "n",
        "runs",
        "complete",
    ]
    # ranked, best first, on the items every model answered: two of the demo's models answer diagnosis
    # only, so all three are ranked on its 17 items, and those two are marked incomplete
    common = [float(t.split()[0]) for t in judge.locator("tbody tr td.cell:nth-last-of-type(4)").all_inner_texts()]
    assert common == sorted(common, reverse=True) and len(common) == 3
    names = judge.locator("tbody th").all_inner_texts()
    complete = dict(zip(names, judge.locator("tbody tr td:last-child").all_inner_texts(), strict=True))
    assert complete == {"noisy-oracle": "yes", "category-only": "incomplete", "phenotype-ranker": "incomplete"}
    # the runs that make each row (the demo's one run per model and dataset)
    runs = judge.locator("tbody tr td:nth-last-child(2)").all_inner_texts()
    assert [r.split("|")[0] for r in runs] == names and all(r.count("|") == 2 for r in runs)
    assert "n=17 for the first board" in page.locator("main p").first.inner_text()
    assert "Ranked on the items every ranked model answered" in page.locator("main").inner_text()
    cell = judge.locator("tbody td.cell").first.inner_text()
    assert "[" in cell and "]" in cell  # mean with its interval, micro's too
    first = judge.locator("tbody tr").first.locator("td")  # rank, then the model's family and domain
    assert (first.nth(0).inner_text(), first.nth(1).inner_text()) == ("1", "baseline")
    assert first.nth(2).inner_text() in ("general", "medical")
    judge.locator("button.sort[data-key=model]").click()
    assert judge.locator("tbody th").all_inner_texts() == sorted(MODELS)
    judge.locator("button.sort[data-key=model]").click()
    assert judge.locator("tbody th").all_inner_texts() == sorted(MODELS, reverse=True)
    assert judge.locator("thead th").nth(1).get_attribute("aria-sort") == "descending"
    with page.expect_download() as download:
        page.locator("button.csv").first.click()
    # the CSV is the leaderboard: rank, model, description, the common mean with its interval, ...
    lines = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert lines[0][:9] == [
        "rank",
        "model",
        "family",
        "domain",
        "params",
        "common_mean",
        "common_ci_low",
        "common_ci_high",
        "common_n",
    ]
    assert [row[1] for row in lines[1:]] == names  # in the board's ranked order
    assert [row[0] for row in lines[1:]] == ["1", "2", "3"] and {row[13] for row in lines[1:]} == {"yes", "no"}


TITLE = "document.querySelector('#heat-body h2')?.textContent"


def test_heatmaps_switch_and_class_search(page: object, site: dict) -> None:
    open_page(page, site, "heatmap")
    page.wait_for_selector("#heat-body .js-plotly-plot .colorbar")  # a real chart, with its colour legend
    assert page.locator("#heat-body h2").first.inner_text() == "Judge score by head"
    heads = page.locator("#heat-body table thead th").all_inner_texts()[1:-1]
    assert len(heads) > 1 and "no head" not in heads  # the demo reaches the heads
    shot(page, "heatmap-head")
    cells = page.locator("#heat-chart text.heatmap-label, #heat-chart .textpoint text, #heat-chart text").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    assert any("n=" in t for t in cells)  # n in each cell (the toggle is on by default)
    page.uncheck("#heat-n")
    page.wait_for_function(
        "![...document.querySelectorAll('#heat-chart text')].some(e => e.textContent.includes('n='))"
    )
    page.select_option("#heat-track", "diagnosis")
    page.wait_for_function(f"{TITLE} === 'Judge score by head (diagnosis)'")
    page.select_option("#heat-by", "prevalence")
    page.wait_for_function(f"{TITLE} === 'Judge score by prevalence (diagnosis)'")
    page.select_option("#heat-track", "")
    page.wait_for_function(f"{TITLE} === 'Judge score by prevalence'")
    page.select_option("#heat-mean", "macro")
    page.wait_for_function("[...document.querySelectorAll('#heat-body thead th')].pop()?.textContent === 'macro'")
    page.fill("#heat-search", "rare inborn errors of")
    page.wait_for_selector("#heat-suggest button")
    first = page.locator("#heat-suggest button").first
    assert first.inner_text().startswith("Rare inborn errors of metabolism (ORPHA:68367")
    first.focus()
    page.keyboard.press("Enter")  # keyboard works as well as the mouse
    page.wait_for_function(f"{TITLE}?.startsWith('Judge score under Rare inborn errors')")
    shot(page, "heatmap-class")
    rows = page.locator("#heat-body tbody th").all_inner_texts()
    assert set(rows) <= MODELS and rows  # some of the demo's diseases are in that class
    columns = page.locator("#heat-body thead th").all_inner_texts()[1:-1]
    assert columns and all(c != "no head" for c in columns)


ORDER = [">1 / 1000", "6-9 / 10 000", "1-5 / 10 000", "1-9 / 100 000", "1-9 / 1 000 000", "<1 / 1 000 000"]
UNORDERED = ["Unknown", "Not yet documented", "no data"]


def test_rarity_curve(page: object, site: dict) -> None:
    open_page(page, site, "rarity")
    page.wait_for_selector("#rarity-chart .legend")
    shot(page, "rarity")
    legend = page.locator("#rarity-chart .legend .traces text").evaluate_all("els => els.map(e => e.textContent)")
    assert set(legend) == MODELS  # a proper legend, one entry per model
    titles = page.locator("#rarity-chart .g-xtitle text, #rarity-chart .g-ytitle text").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    assert "judge score (x100)" in titles and "prevalence class (most frequent first)" in titles
    ticks = page.locator("#rarity-chart .xtick text").evaluate_all("els => els.map(e => e.textContent)")
    assert ticks and ticks == sorted(ticks, key=ORDER.index)  # Orphanet's order, most frequent first
    apart = page.locator("#rarity-chart .x2tick text").evaluate_all("els => els.map(e => e.textContent)")
    assert set(apart) <= set(UNORDERED) and not set(ticks) & set(UNORDERED)  # unordered classes apart
    assert page.locator("#rarity-chart .scatterlayer .points path").count() > 0  # markers
    assert page.locator("#rarity-chart path.js-fill").count() >= 3  # an interval band per model


def test_condition_comparisons(page: object, site: dict) -> None:
    from mmrare.core.tracks import ALL_TRACKS
    from mmrare.scoring.condition_runs import graph_contrasts
    from mmrare.scoring.conditions import contrast_metrics

    open_page(page, site, "conditions")
    page.wait_for_selector("#cond-chart-0 .legend")
    shot(page, "conditions")
    assert page.locator("main h3").all_inner_texts() == [
        "textual leakage (FD - baseline)",
        "value of the images (baseline - TO)",
    ]
    legend = page.locator("#cond-chart-0 .legend .traces text").evaluate_all("els => els.map(e => e.textContent)")
    assert set(legend) == {"synthetic-ranker-a", "synthetic-ranker-b"}
    ticks = page.locator("#cond-chart-0 .ytick text").evaluate_all("els => els.map(e => e.textContent)")
    # the metric select offers every registered track's comparison metrics, from the benchmarks query
    offered = page.locator("#cond-metric option").evaluate_all("els => els.map(e => e.value)")
    registered = {m for t in ALL_TRACKS for m in contrast_metrics(t)}
    assert sorted(offered) == sorted(registered) and "hit@5" in offered and "det_mean_sent_groundedness" in offered
    assert ticks[0] == "all items"  # the overall difference first, then each head
    assert page.locator("#cond-chart-0 .errorbar").count() > 0  # an interval per point
    # the table shows what the service computes, row by row, at the one default number of resamples
    expected = graph_contrasts(site["store"], [], "rr", "head", None, RESAMPLES)
    shown = [row.split("\t") for row in page.locator("#cond-table tbody tr").all_inner_texts()]
    assert len(shown) == len(expected)
    for cells, c in zip(shown, expected, strict=True):
        p = c.comparison
        assert cells[:4] == [c.model, c.measures, c.stratum, str(p.n)]
        assert abs(float(cells[6]) - p.difference) <= 0.0005 + 1e-12
        if math.isnan(p.ci_low):  # a stratum of fewer than five cases has no interval, and says so
            assert cells[7] == "(no CI, <5 cases)"
            continue
        low, high = (float(x) for x in cells[7].strip("[]").split(","))
        # three decimals (JavaScript rounds a half away from zero, Python to even: compare as numbers)
        for text, value in ((low, p.ci_low), (high, p.ci_high)):
            assert abs(float(text) - value) <= 0.0005 + 1e-12
    page.select_option("#cond-by", "none")
    page.wait_for_function("document.querySelectorAll('#cond-table tbody tr').length === 4")
    strata = page.locator("#cond-table tbody tr td:nth-of-type(2)").all_inner_texts()
    assert set(strata) == {"all items"}  # two models x two comparisons, no strata
    # a T2 metric compares the describing models' runs: gold - NoDx and gold - TO
    page.select_option("#cond-metric", "det_required_recall@0.5")
    page.wait_for_function("[...document.querySelectorAll('main h3')].some(h => h.textContent.includes('NoDx'))")
    assert page.locator("main h3").all_inner_texts() == [
        "the diagnosis's gain (gold - NoDx)",
        "value of the images (gold - TO)",
    ]
    expected = graph_contrasts(site["store"], [], "det_required_recall@0.5", "none", None, RESAMPLES)
    shown = [row.split("\t") for row in page.locator("#cond-table tbody tr").all_inner_texts()]
    assert [cells[:4] for cells in shown] == [[c.model, c.measures, c.stratum, str(c.comparison.n)] for c in expected]
    assert {cells[0] for cells in shown} == {"synthetic-describer-a", "synthetic-describer-b"}


def test_leakage_view_and_paths(page: object, site: dict) -> None:
    open_page(page, site, "leakage")
    assert "enter a maintainer key" in page.locator("main").inner_text()
    tracks = page.locator("main tbody th").all_inner_texts()
    assert set(tracks) == {"diagnosis", "treatment", "crossmodal", "examination"}
    open_page(page, site, "leakage", key=site["maintainer"])
    page.wait_for_selector(".finding .path span")
    shot(page, "leakage-findings")
    first_path = page.locator(".finding .path").first.inner_text()
    assert first_path.startswith("Item:") and "→" in first_path
    stored = [n.props for n in site["store"].select("LeakageFinding")]
    count = page.locator("#finding-count").inner_text()
    assert count.startswith(f"{len(stored)} findings match (showing 1–{min(25, len(stored))})")
    if len(stored) > 25:  # the next page, then back
        page.click("#next-findings")
        page.wait_for_function("document.querySelector('#finding-count')?.textContent.includes('showing 26–')")
        page.click("#prev-findings")
        page.wait_for_function("document.querySelector('#finding-count')?.textContent.includes('showing 1–')")
    kind = max({f["kind"] for f in stored}, key=lambda k: sum(f["kind"] == k for f in stored))
    page.select_option("#finding-filter select[name=kind]", kind)
    page.select_option("#finding-filter select[name=track]", "diagnosis")
    page.click("#finding-filter button")
    expected = sum(f["kind"] == kind and f["itemId"].startswith("diagnosis:") for f in stored)
    page.wait_for_function(f"document.querySelector('#finding-count')?.textContent.startsWith('{expected} findings')")
    shown = page.locator(".finding").evaluate_all("els => els.map(e => e.dataset.item + ' ' + e.textContent)")
    assert shown and all(t.startswith("diagnosis:") and f" {kind} (" in t for t in shown)


def test_item_browser_filters_and_answer_key(page: object, site: dict) -> None:
    open_page(page, site, "items")
    page.select_option("select[name=track]", "diagnosis")
    page.click("#item-filter button")
    page.wait_for_function("document.querySelector('#item-count')?.textContent.startsWith('17 items')")
    ids = page.locator("article.item").evaluate_all("els => els.map(e => e.dataset.item)")
    assert ids and all(i.startswith("diagnosis:") for i in ids)
    assert page.locator(".answer").count() == 0  # the public sees no answer key
    # thumbnails load lazily: the first item's, in view, must have arrived as real images
    page.wait_for_function(
        "[...document.querySelector('article.item').querySelectorAll('img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    captions = page.locator("article.item").first.locator("figcaption").all_inner_texts()
    assert captions and all(c for c in captions)
    shot(page, "items-public")
    open_page(page, site, "items", key=site["maintainer"])
    page.wait_for_selector(".answer")
    first = page.locator("article.item").first
    item_id = first.get_attribute("data-item")
    gold = site["store"].get_many("Item", [item_id])[item_id]["answer"]
    assert first.locator(".answer").inner_text() == f"Answer: {gold}"
    shot(page, "items-maintainer")


def test_track_selects_list_every_hosted_benchmark(page: object, site: dict) -> None:
    """The item browser's track select is built from the `benchmarks` query: one group per benchmark,
    MRareBench's T2 and phenopacket-store included (the hard-coded list had missed them)."""
    open_page(page, site, "items")
    page.wait_for_selector("select[name=track] optgroup", state="attached")
    groups = page.locator("select[name=track] optgroup").evaluate_all(
        "els => els.map(g => [g.label, [...g.querySelectorAll('option')].map(o => o.value)])"
    )
    assert groups == [
        ["MMRareBench", ["diagnosis", "treatment", "crossmodal", "examination"]],
        ["MRareBench", ["differential", "evidence"]],
        ["phenopacket-store", ["phenopacket"]],
    ]
    page.select_option("select[name=track]", "evidence")
    page.click("#item-filter button")
    page.wait_for_function(
        "(() => { const items = [...document.querySelectorAll('article.item')];"
        " return items.length > 0 && items.every(e => e.dataset.item.startsWith('evidence:')); })()"
    )
    ids = page.locator("article.item").evaluate_all("els => els.map(e => e.dataset.item)")
    assert ids and all(i.startswith("evidence:") for i in ids)


def test_the_benchmark_select_switches_the_leaderboard_and_heatmaps(page: object, three_benchmarks_site: dict) -> None:
    """With three benchmarks hosted, the leaderboard and the heatmaps show the one chosen: its boards,
    its authors' table, its tracks and metrics; the choice is kept from one view to the next."""
    site = three_benchmarks_site
    open_page(page, site, "leaderboard")
    options = page.locator("#benchmark-select option").all_inner_texts()
    assert options == ["MMRareBench", "MRareBench", "phenopacket-store"]
    assert page.locator("#board-offline").count() == 1 and page.locator("#study-table").count() == 0
    page.select_option("#benchmark-select", "phenopacket-store")
    page.wait_for_selector("main[data-loaded='leaderboard'] #board-hit-1")
    shot(page, "leaderboard-phenopacket-store")
    assert page.locator("#board-offline").count() == 0
    # the study's own table: GPT-4o in English and German on the excerpt (hand-counted in
    # tests/api/test_phenopackets_api.py: English n1 = 1 of 8 cases answered)
    study = [tr.locator("th, td").all_inner_texts() for tr in page.locator("#study-table tbody tr").all()]
    assert [(r[0], r[1], r[3]) for r in study] == [("gpt-4o", "en", "1"), ("gpt-4o", "de", "1")]
    # the first board ranks by the study's hit@1: en 1 of 8 (12.5), de 1 of 9 (11.1), in the track's column
    board = page.locator("#board-hit-1")
    heads = board.locator("thead th").all_inner_texts()
    assert "phenopacket" in heads and "diagnosis" not in heads
    column = heads.index("phenopacket")
    rows = board.locator("tbody tr").all()
    cells = {tr.locator("th").inner_text(): tr.locator("th, td").nth(column).inner_text() for tr in rows}
    assert {m: c.split()[0] for m, c in cells.items()} == {"gpt-4o [en]": "12.5", "gpt-4o [de]": "11.1"}
    assert page.locator("#board-grounded_hit-1").count() == 1 and page.locator("#board-lenient_hit-1").count() == 1
    assert "no judge" in page.locator("section.board").first.locator(".note").inner_text()
    # the heatmaps keep the choice: the benchmark's own metrics and tracks
    open_page(page, site, "heatmap")
    assert page.locator("#benchmark-select").input_value() == "phenopacket-store"
    assert page.locator("#heat-metric option").all_inner_texts() == [
        "Top-1 (study's rule)",
        "Top-1 grounded (strict)",
        "Top-1 grounded (lenient)",
    ]
    assert page.locator("#heat-track option").all_inner_texts() == ["all tracks", "phenopacket"]
    page.wait_for_function(f"{TITLE} === \"Top-1 (study's rule) by head\"")
    # MRareBench has no pooled board: its runs are compared per input condition
    page.select_option("#benchmark-select", "MRareBench")
    page.wait_for_selector("text=compared per input condition")
    open_page(page, site, "leaderboard")
    assert page.locator("section.board").count() == 0
    assert "no pooled board" in page.locator("main").inner_text()
    labels = page.locator("#reference-keys tbody td:nth-child(2)").all_inner_texts()
    assert labels and all(label.startswith("MRareBench_") for label in labels)


def test_item_browser_pages_by_cursor_and_refuses_bad_filters(page: object, site: dict) -> None:
    total = site["store"].count_nodes("Item")
    open_page(page, site, "items")
    page.evaluate("sessionStorage.removeItem('items')")
    open_page(page, site, "items")
    page.wait_for_selector("#item-count")
    assert page.inner_text("#item-count") == f"{total} items match (showing 1–20)."
    first = page.locator("article.item").evaluate_all("els => els.map(e => e.dataset.item)")
    page.click("#next-page")
    page.wait_for_function("document.querySelector('#item-count')?.textContent.includes('showing 21–')")
    second = page.locator("article.item").evaluate_all("els => els.map(e => e.dataset.item)")
    assert len(second) == min(20, total - 20) and not set(first) & set(second)
    page.click("#prev-page")
    page.wait_for_function("document.querySelector('#item-count')?.textContent.includes('showing 1–20')")
    assert page.locator("article.item").evaluate_all("els => els.map(e => e.dataset.item)") == first
    page.fill("input[name=under]", "abc")
    page.click("#item-filter button")
    page.wait_for_selector("#item-error")
    assert "“abc” is not an ORPHAcode" in page.inner_text("#item-error")
    assert page.locator("article.item").count() == 0  # nothing shown as if the filter were not there
    page.fill("input[name=under]", "")
    page.click("#item-filter button")
    page.wait_for_selector("#item-count")


VIEWS = ("leaderboard", "heatmap", "rarity", "conditions", "coverage", "leakage", "items")


def test_every_view_fits_a_phone(browser: object, site: dict) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True)
    tab = context.new_page()
    try:
        for name in VIEWS:
            open_page(tab, site, name, key=site["maintainer"])
            if name in ("heatmap", "rarity", "conditions", "coverage"):
                tab.wait_for_selector("main .js-plotly-plot .main-svg")  # charts lay themselves out to the width
            shot(tab, f"phone-{name}")
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{name}: the page scrolls sideways ({width} px)"
    finally:
        context.close()


def test_a_view_left_while_loading_never_draws_over_the_next(page: object, site: dict) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    held: list[object] = []

    def hold_the_leaderboard(route: object) -> None:  # its token-F1 report answers only when released
        if "token_f1" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/graphql", hold_the_leaderboard)
    open_page(page, site, "items")
    page.evaluate(f"location.hash = '#leaderboard'; localStorage.setItem('mmrare-key', {site['maintainer']!r})")
    page.wait_for_timeout(200)
    page.evaluate("location.hash = '#leakage'")  # left while its reports are out, the key changed meanwhile
    page.wait_for_selector("main[data-loaded='leakage'] #finding-count")
    assert held
    for route in held:
        route.continue_()
    page.wait_for_timeout(800)  # the abandoned leaderboard's answers arrive now
    assert page.locator("main h2").first.inner_text() == "Leakage summary"
    assert page.locator("#board-offline").count() == 0 and errors == []


def test_dark_theme_follows_the_system(browser: object, site: dict) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark", bypass_csp=True)
    tab = context.new_page()
    try:
        open_page(tab, site, "heatmap")
        tab.wait_for_selector("#heat-body .js-plotly-plot")
        shot(tab, "dark-heatmap")
        assert tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 24, 31)"
        paper = tab.evaluate("getComputedStyle(document.querySelector('#heat-chart .main-svg')).backgroundColor")
        assert paper == "rgb(28, 33, 42)"  # the chart follows the theme too
    finally:
        context.close()


def test_the_chart_library_is_fetched_by_the_first_chart_only(fresh_page: object, site: dict) -> None:
    """plotly.js (4.6 MB) is not fetched for views without charts, and a page fetches it once."""
    page = fresh_page
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/assets/plotly/" in r.url else None)
    page.goto(f"{site['url']}#items")
    page.wait_for_selector("main[data-loaded='items']")
    page.evaluate("location.hash = '#leaderboard'")
    page.wait_for_selector("main[data-loaded='leaderboard'] table")
    assert fetched == []
    for name in ("heatmap", "rarity"):
        page.evaluate(f"location.hash = '#{name}'")
        page.wait_for_selector(f"main[data-loaded='{name}'] .js-plotly-plot .main-svg", timeout=15000)
    assert len(fetched) == 1 and fetched[0].endswith("/assets/plotly/plotly.min.js")


def test_charts_run_under_the_dashboard_s_own_policy(browser: object, site: dict) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # the CSP enforced
    tab = context.new_page()
    outside, violations = [], []
    tab.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    def only_this_server(route: object) -> None:
        if route.request.url.startswith(site["url"]):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        tab.route("**/*", only_this_server)
        for name in ("heatmap", "rarity"):  # one load, then the second view by its link
            tab.goto(f"{site['url']}#{name}")
            tab.wait_for_selector(f"main[data-loaded='{name}'] .js-plotly-plot .main-svg", timeout=15000)
        assert outside == [] and violations == []  # plotly.js came from this server and obeyed its policy
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("graphql", ".graphiql-container .graphiql-editors"),
        ("docs", ".swagger-ui .info .title"),
        ("redoc", ".api-content h1"),
    ],
)
def test_api_documentation_works_without_internet(strict_page: object, site: dict, path: str, ready: str) -> None:
    page = strict_page
    outside: list[str] = []

    def only_this_server(route: object) -> None:
        url = route.request.url
        if url.startswith(site["url"]):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(site["url"] + path, wait_until="networkidle")
    page.wait_for_selector(ready, timeout=15000)
    shot(page, f"docs-{path}")
    assert outside == []  # every script, style and font came from the server itself


def test_offline_judges_are_labelled_as_ours(page: object, site: dict) -> None:
    for name in ("leaderboard", "heatmap", "rarity"):
        open_page(page, site, name)
        if name == "heatmap":
            page.wait_for_selector("#heat-body .note")
        notes = " ".join(page.locator("main .note").all_inner_texts())
        assert "ours (offline, not the reference's judge" in notes, name


VIEWS = ["leaderboard", "heatmap", "rarity", "conditions", "coverage", "leakage", "items"]


def test_a_held_out_release_shows_each_caller_what_it_may_see(page: object, held_out_site: dict) -> None:
    # the public: every view loads, asks for nothing it would be refused, and says what is withheld
    for view in VIEWS:
        open_page(page, held_out_site, view)
        assert page.locator("main .error").count() == 0, view
        assert page.locator("main .withheld").count() >= 1, view
    shot(page, "held-out-public-leaderboard")
    # an evaluator: its own scored runs load, the leak-free board and others' runs are said to be withheld
    open_page(page, held_out_site, "leaderboard", held_out_site["evaluator"])
    shot(page, "held-out-evaluator-leaderboard")
    assert page.locator("main .error").count() == 0
    judge = page.locator("#board-offline")
    assert [t.split(" (")[0] for t in judge.locator("tbody th").all_inner_texts()] == [OWNED_MODEL]
    notes = page.locator("main .withheld").all_inner_texts()
    assert any("leak-free subset" in n for n in notes) and any("your own runs" in n for n in notes)
    # exact means (the reference's keys, contrasts) are withheld, and the Ladder that shows the rest is said
    assert any("reference's keys" in n for n in notes) and any("best shown to you so far" in n for n in notes)
    open_page(page, held_out_site, "conditions", held_out_site["evaluator"])
    assert "exact means are for maintainers" in page.locator("main .withheld").inner_text()
    for view in ("heatmap", "items"):  # the views with controls a held-out release takes away
        open_page(page, held_out_site, view, held_out_site["evaluator"])
        assert page.locator("main .error").count() == 0, view


# Orphanet's 33 classification heads (ORPHAcode, preferred name), from Orphanet's 2025-12 release (CC BY 4.0)
HEADS = {
    52662: "Rare teratologic disease", 57146: "Rare hepatic disease", 68329: "Rare maxillo-facial surgical disease",
    68367: "Rare inborn errors of metabolism", 68416: "Rare infectious disease", 89826: "Rare skin disease",
    93419: "Rare bone disease", 93626: "Rare renal disease", 93890: "Rare developmental defect during embryogenesis",
    96344: "Rare gynecologic or obstetric disease", 97929: "Rare cardiac disease",
    97935: "Rare gastroenterologic disease", 97955: "Rare respiratory disease", 97962: "Rare surgical thoracic disease",
    97965: "Rare surgical cardiac disease", 97966: "Rare ophthalmic disorder", 97978: "Rare endocrine disease",
    97992: "Rare hematologic disease", 98004: "Rare immune disease", 98006: "Rare neurologic disease",
    98023: "Rare systemic or rheumatologic disease", 98026: "Rare odontologic disease",
    98028: "Rare circulatory system disease", 98036: "Rare otorhinolaryngologic disease", 98047: "Rare infertility",
    98050: "Rare allergic disease", 98053: "Rare genetic disease", 101433: "Rare urogenital disease",
    108999: "Rare disorder due to toxic effects", 165711: "Rare abdominal surgical disease",
    250908: "Rare neoplastic disease", 280342: "Rare systemic or rheumatological disease of childhood",
    565779: "Rare disorder potentially indicated for transplant or complication after transplantation",
}  # fmt: skip


@pytest.fixture(scope="module")
def coverage_site(demo_graphs: DemoGraphs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The demo, plus a second benchmark (synthetic): one made-up disorder under each of the 33 real heads,
    answered by one to four items, so the map has every head to draw."""
    served = serving(demo_graphs, tmp_path_factory.mktemp("coverage"))
    site = next(served)
    store = site["store"]
    with store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": code, "name": name} for code, name in HEADS.items()])
        tx.upsert_nodes(
            "Disease",
            [
                {"orphaCode": 990_000 + k, "name": f"Synthetic disorder {k}", "group": "Disorder", "heads": [code]}
                for k, code in enumerate(HEADS)
            ],
        )
        items = [(f"phenopacket:{k}-{j}", 990_000 + k) for k in range(len(HEADS)) for j in range(1 + k % 4)]
        tx.upsert_nodes(
            "Item", [{"itemId": i, "track": "phenopacket", "release": "synthetic", "cluster": i} for i, _ in items]
        )
        tx.upsert_rels("ANSWER_IS", [RelRow(NodeRef("Item", i), NodeRef("Disease", d)) for i, d in items])
    yield site
    next(served, None)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_coverage_map_draws_33_heads_legibly(browser: object, coverage_site: dict, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600, bypass_csp=True)
    tab = context.new_page()
    try:
        open_page(tab, coverage_site, "coverage", key=coverage_site["maintainer"])
        tab.wait_for_selector("#cov-chart .main-svg")
        shot(tab, f"coverage-{width}")
        rows = tab.locator("#cov-table tbody th").all_inner_texts()
        assert set(HEADS.values()) <= set(rows)  # every head, whole, in the table
        legend = tab.locator("#cov-chart .legendtext").all_text_contents()  # one entry per benchmark release
        assert "phenopacket-store synthetic" in legend and "MMRareBench" in legend
        ticks = tab.locator("#cov-chart .ytick text")
        assert ticks.count() == len(rows)  # a label for every group
        boxes = sorted((ticks.nth(k).bounding_box() for k in range(ticks.count())), key=lambda b: b["y"])
        for upper, lower in itertools.pairwise(boxes):
            assert upper["y"] + upper["height"] <= lower["y"] + 0.5, "two head labels overlap"
        assert min(b["x"] for b in boxes) >= 0  # none cut off at the left edge
        size = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('#cov-chart .ytick text')).fontSize)")
        assert size >= 11
        assert tab.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    finally:
        context.close()
