"""The attacks a public or evaluator caller would try, each refused, on both stores."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore, Principal
from mmrare.api.policy import ReleasePolicy
from mmrare.api.service import GraphService
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.store import GraphStore
from mmrare.scoring.ladder import on_grid, step_for
from tests.api.conftest import Served, gql
from tests.support.graphql import ask


@pytest.fixture
def held_out(served: Served, tmp_path: Path) -> tuple[TestClient, dict[str, str]]:
    """The same graph served as a held-out release, with small limits so tests can reach them."""
    keys = KeyStore(tmp_path / "held-keys.json")
    names = {"maint": "maintainer", "eve": "evaluator", "mallory": "evaluator"}
    made = {name: keys.create(name, role) for name, role in names.items()}
    service = GraphService(served.store, served.service.blobs, ReleasePolicy("held-out", min_group=3, runs_per_day=2))
    return TestClient(create_app(service, keys, tmp_path / "thumbs"), raise_server_exceptions=False), made


def message(result: dict) -> str:
    return result["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "{ items(first: 5, under: 284993) { totalCount } }",
        '{ items(first: 5, prevalenceClass: "1-9 / 100 000") { totalCount } }',
        "{ items(first: 5, aligned: true) { totalCount } }",
        "{ items(first: 5, leakFree: false) { totalCount } }",
        "{ leakageSummary { track flagged } }",
        '{ report(by: "class", under: 284993) { rows { group n } } }',
        "{ conditionContrasts(under: 284993) { n } }",
    ],
)
def test_held_out_answer_derived_queries_are_refused(held_out: tuple, query: str) -> None:
    client, keys = held_out
    for key in (None, keys["eve"]):
        assert "held-out" in message(ask(client, query, key)) or "owners only" in message(ask(client, query, key))
    assert "errors" not in ask(client, query, keys["maint"])  # maintainers keep everything


def test_held_out_items_hide_their_leak_status_and_mode_is_said(held_out: tuple) -> None:
    client, keys = held_out
    assert ask(client, "{ releaseMode }")["data"] == {"releaseMode": "held-out"}
    page = ask(client, "{ items(first: 40) { edges { node { leakFree } } } }", keys["eve"])["data"]["items"]
    assert {e["node"]["leakFree"] for e in page["edges"]} == {None}
    seen = ask(client, "{ items(first: 40) { edges { node { leakFree } } } }", keys["maint"])["data"]["items"]
    assert {e["node"]["leakFree"] for e in seen["edges"]} == {True, False}


def test_held_out_scores_only_for_their_owner_in_big_groups(held_out: tuple, served: Served) -> None:
    client, keys = held_out
    assert "owners only" in message(ask(client, '{ report(by: "track") { rows { n } } }'))
    theirs = ask(client, "query($r: [String!]) { report(runs: $r) { rows { n } } }", keys["eve"], r=[served.run_id])
    assert "owners only" in message(theirs)
    lines = "".join(
        json.dumps({"item": f"{t}:{i}", "prediction": "x"}) + "\n"
        for t, n in (("diagnosis", 11), ("treatment", 2))
        for i in range(n)
    )
    upload = client.post(
        "/runs",
        files={"file": ("eve.jsonl", lines.encode())},
        data={"model": "eve-model"},
        headers={"X-API-Key": keys["eve"]},
    )
    assert upload.status_code == 200, upload.text
    run = upload.json()["runId"]
    assert upload.json()["submissions"] == {"limit": 2, "remaining": 1}
    # scored once at submission; scoring again (another judge, at will) is refused
    again = ask(client, "mutation($r: String!) { scoreRun(runId: $r) { judged } }", keys["eve"], r=run)
    assert "scored once, when it is submitted" in message(again)
    report = ask(client, '{ report(by: "track", metric: "tokenF1") { rows { group n } means { model } } }', keys["eve"])
    rows = report["data"]["report"]["rows"]
    assert rows == [{"group": "diagnosis", "n": 11}]  # treatment's 2 items are under the minimum group of 3
    assert report["data"]["report"]["means"] == [{"model": "eve-model"}]
    assert "grouping by class" not in message(ask(client, '{ report(by: "leak") { rows { n } } }', keys["eve"]))
    assert "not offered on a held-out release" in message(
        ask(client, '{ report(by: "leak") { rows { n } } }', keys["eve"])
    )


def test_submissions_are_limited_per_key(held_out: tuple) -> None:
    client, keys = held_out
    for k in range(3):
        body = json.dumps({"item": "diagnosis:0", "prediction": f"guess {k}"}).encode()
        response = client.post(
            "/runs",
            files={"file": (f"m{k}.jsonl", body)},
            data={"model": "probe"},
            headers={"X-API-Key": keys["mallory"]},
        )
        if k < 2:
            assert response.status_code == 200 and response.json()["submissions"]["remaining"] == 1 - k
        else:
            assert response.status_code == 429 and "2 submissions per 24 hours" in response.json()["detail"]
    quota = ask(client, "{ submissionQuota { limit remaining } }", keys["mallory"])["data"]["submissionQuota"]
    assert quota == {"limit": 2, "remaining": 0}
    maintainer = ask(client, "{ submissionQuota { limit } }", keys["maint"])["data"]
    assert maintainer == {"submissionQuota": None}


def test_a_costly_nested_query_is_refused_before_it_runs(served: Served) -> None:
    nested = (
        "{ diseases(limit: 100) { descendants(limit: 1000) { ancestors { descendants(limit: 1000) "
        "{ ancestors { name } } } } } }"
    )
    started = time.perf_counter()
    result = gql(served, nested)
    assert "query too costly" in message(result) and "budget" in message(result)
    assert time.perf_counter() - started < 2
    assert "limit must be between 1 and 100" in message(gql(served, "{ diseases(limit: -5) { name } }"))
    cursor = __import__("base64").b64encode(b"offset:-7").decode()
    assert "not a cursor" in message(gql(served, f'{{ items(first: 2, after: "{cursor}") {{ totalCount }} }}'))


def test_page_sizes_in_variable_defaults_count(served: Served) -> None:
    # the attack: a 1.5 KB public query whose page sizes hide in variable defaults returned 43.9 MB
    hidden = (
        "query($n: Int = 1000, $m: Int = 1000) { diseases(limit: $n) { descendants(limit: $m) "
        "{ ancestors { name } } } }"
    )
    assert "query too costly" in message(gql(served, hidden))
    # a value the caller gives wins over the default, as the executor coerces it
    small = gql(served, hidden, n=2, m=2)
    assert "errors" not in small and isinstance(small["data"]["diseases"], list)


def test_fragments_spreading_twice_are_refused_in_linear_time(served: Served) -> None:
    # the attack: 22 fragments, each spreading the next twice (2^22 expansions), ran past 20 s
    depth = 30
    spreads = " ".join(f"fragment F{k} on Disease {{ name ...F{k + 1} ...F{k + 1} }}" for k in range(depth))
    query = f"{{ diseases(limit: 1) {{ ...F0 }} }} {spreads} fragment F{depth} on Disease {{ name }}"
    started = time.perf_counter()
    result = gql(served, query)
    assert "query too costly" in message(result)
    assert time.perf_counter() - started < 2
    many = " ".join(f"fragment G{k} on Disease {{ name }}" for k in range(60))
    spread = " ".join(f"...G{k}" for k in range(60))
    assert "too many fragments: 60, over 50" in message(gql(served, f"{{ diseases(limit: 1) {{ {spread} }} }} {many}"))


def test_a_worker_past_its_deadline_is_told_to_the_caller_not_masked() -> None:
    """The worker's own OverTime can answer before the time limit's error (a race the test below
    lost one run in five): it is a message for the caller, like the limit's; anything else stays masked."""
    from graphql import located_error

    from mmrare.api.app import _expected
    from mmrare.api.limits import OverTime

    assert _expected(located_error(OverTime("the query ran over its time limit"), None, ["diseases", 17]))
    assert not _expected(located_error(RuntimeError("secret internal detail"), None, ["diseases", 17]))


def test_a_stopped_query_stops_working(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the time limit the answer is an error at once, and the worker stops at its next object:
    the executor completes no object once the error has been answered."""
    from mmrare.api.gql import execution
    from mmrare.api.limits import ThreadedSchema

    completed = []
    original = execution.DeadlineExecutionContext.execute_fields

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        completed.append(time.monotonic())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(execution.DeadlineExecutionContext, "execute_fields", counting)
    monkeypatch.setattr(ThreadedSchema, "time_limit", 0.2)
    slow = execution.DeadlineExecutionContext.execute_fields

    def dawdling(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.01)  # every object takes a while: thousands of them run far past the limit
        return slow(self, *args, **kwargs)

    monkeypatch.setattr(execution.DeadlineExecutionContext, "execute_fields", dawdling)
    result = gql(served, "{ diseases(limit: 100) { name ancestors { name } } }")  # some 300 objects, 3 s
    answered = time.monotonic()
    assert "ran over" in message(result)
    time.sleep(0.3)
    assert not [t for t in completed if t > answered + 0.05]  # nothing more was worked on


def test_no_user_text_becomes_a_path(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = {p for p in tmp_path.rglob("*")}
    for model in (str(tmp_path / "abs"), "../../escape", "a/../b"):
        content = json.dumps({"item": "diagnosis:0", "prediction": "x"}) + "\n"
        done = gql(
            served, 'mutation($m: String!, $c: String!) { importPredictions(model: $m, content: $c) { runId } }',
            served.evaluator, m=model, c=content,
        )  # fmt: skip
        assert "errors" not in done, done
    assert {p for p in tmp_path.rglob("*")} == before  # nothing written anywhere near
    assert not (tmp_path / "abs.jsonl").exists() and not (tmp_path.parent / "escape.jsonl").exists()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_unopened(served: Served) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        with zipfile.ZipFile(io.BytesIO(xlsx_bytes([["index", "prediction"]]))) as real:
            for info in real.infolist():
                zf.writestr(info, real.read(info))
        zf.writestr("xl/worksheets/sheet2.xml", b"<a>" + b" " * (260 * 2**20) + b"</a>")
    data = bomb.getvalue()
    assert len(data) < 2 * 2**20  # small on the wire
    response = served.client.post(
        "/runs", files={"file": ("m_MMRarebench_Diagnosis.xlsx", data)}, headers={"X-API-Key": served.evaluator}
    )
    assert response.status_code == 422 and "inflates to" in str(response.json()["detail"])
    not_zip = served.client.post(
        "/runs",
        files={"file": ("m_MMRarebench_Diagnosis.xlsx", b"PK not really")},
        headers={"X-API-Key": served.evaluator},
    )
    assert not_zip.status_code == 422 and "not an xlsx workbook" in str(not_zip.json()["detail"])


def test_bodies_are_capped_before_authentication(served: Served) -> None:
    huge = {"Content-Length": str(60 * 2**20), "Content-Type": "multipart/form-data; boundary=x"}
    assert served.client.post("/runs", content=b"--x--", headers=huge).status_code == 413  # no key: still 413
    too_big_query = {"query": "{ role }", "variables": {"pad": "x" * (3 * 2**20)}}
    assert served.client.post("/graphql", json=too_big_query).status_code == 413

    def chunks():  # no Content-Length: counted while it streams
        for _ in range(40):
            yield b"y" * (2**20)

    streamed = served.client.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"])
def test_report_csv_cells_are_safe_in_spreadsheets(served: Served, name: str) -> None:
    content = json.dumps({"item": "diagnosis:0", "prediction": "x"}) + "\n"
    query = "mutation($m: String!, $c: String!) { importPredictions(model: $m, content: $c) { runId } }"
    run = gql(served, query, served.maintainer, m=name, c=content)["data"]["importPredictions"]["runId"]
    gql(served, "mutation($r: String!) { scoreRun(runId: $r) { judged } }", served.maintainer, r=run)
    csv_text = served.client.get("/exports/report.csv?by=model&metric=tokenF1&resamples=10").text
    rows = list(csv.reader(io.StringIO(csv_text)))[1:]
    assert [r[0] for r in rows if r[0] != "base"] == [f"'{name}"]
    assert not any(cell.startswith(("=", "+", "@", "-")) for row in rows for cell in row[:3])


@pytest.mark.parametrize("name", ["evil\u202egpj.exe", "nul\x00byte", "line\nbreak"])
def test_control_and_bidi_characters_are_refused_in_model_names(served: Served, name: str) -> None:
    content = json.dumps({"item": "diagnosis:0", "prediction": "x"}) + "\n"
    query = "mutation($m: String!, $c: String!) { importPredictions(model: $m, content: $c) { runId } }"
    assert "control or formatting character" in message(gql(served, query, served.evaluator, m=name, c=content))
    # an upload's file name, raw as the server receives it (clients would percent-encode NUL and newlines)
    head = f'--x\r\nContent-Disposition: form-data; name="file"; filename="{name}_MMRarebench_Diagnosis.tsv"\r\n\r\n'
    body = head.encode() + b"index\tprediction\n0\tx\n\r\n--x--\r\n"
    upload = served.client.post(
        "/runs",
        content=body,
        headers={"X-API-Key": served.evaluator, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert upload.status_code == 422 and "control or formatting character" in upload.text


def test_a_model_belongs_to_its_first_uploader(served: Served) -> None:
    content = json.dumps({"item": "diagnosis:1", "prediction": "x"}) + "\n"
    query = 'mutation($c: String!) { importPredictions(model: "base", content: $c, domain: "medical") { runId } }'
    # the maintainer's model: an evaluator may neither pool runs into it nor describe it
    assert "belongs to another submitter" in message(gql(served, query, served.evaluator, c=content))
    assert served.store.get_many("Model", ["base"])["base"]["domain"] == "general"  # the maintainer's stays
    mine = 'mutation($c: String!) { importPredictions(model: "eves", content: $c, domain: "medical") { runId } }'
    gql(served, mine, served.evaluator, c=content)
    assert served.store.get_many("Model", ["eves"])["eves"] == {"name": "eves", "domain": "medical", "owner": "eve"}


def test_concurrent_first_thumbnails_are_all_whole(served: Served) -> None:
    sha = next(n.ref.key for n in served.store.select("Image"))
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: served.client.get(f"/images/{sha}?size=thumb"), range(48)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1 and responses[0].content[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("filename", "body"),
    [
        ("m.jsonl", b"[1, 2]\n"),
        ("m.jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
        ("m_MMRarebench_Diagnosis.json", b'{"not": "records"}'),
        ("m.jsonl", b"\xff\xfe not utf-8"),
    ],
)
def test_bad_uploads_are_4xx_never_500(served: Served, filename: str, body: bytes) -> None:
    response = served.client.post(
        "/runs", files={"file": (filename, body)}, data={"model": "probe"}, headers={"X-API-Key": served.evaluator}
    )
    assert 400 <= response.status_code < 500, response.text
    assert "Traceback" not in response.text and "/tmp" not in response.text


def test_runs_mine_needs_a_key(served: Served) -> None:
    assert "needs an API key" in message(gql(served, "{ runs(mine: true) { runId } }"))


@pytest.mark.neo4j
def test_neo4j_gone_gives_a_quick_503_and_recovery(neo4j_store: GraphStore, tmp_path: Path) -> None:
    import neo4j

    from mmrare.graph.neo4j_store import Neo4jStore
    from tests.conftest import NEO4J_URI

    store = Neo4jStore(NEO4J_URI)  # its own connection, so the shared one is never touched
    alive = store.driver
    # the server "stops": this store's connection now leads to a closed port
    store.driver = neo4j.GraphDatabase.driver(
        "neo4j://127.0.0.1:1", connection_timeout=2.0, max_transaction_retry_time=2.0
    )
    service = GraphService(store, FolderBlobStore(tmp_path / "blobs"))
    client = TestClient(create_app(service, KeyStore(tmp_path / "k.json"), tmp_path / "thumbs"))
    try:
        started = time.perf_counter()
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["store"]["up"] is False
        page = client.post("/graphql", json={"query": "{ items(first: 2) { totalCount } }"})
        assert page.status_code == 503 and "unavailable" in page.json()["detail"]
        assert client.get("/exports/report.csv").status_code == 503
        assert time.perf_counter() - started < 10  # three requests, each failing within about two seconds
        store.driver.close()
        store.driver = alive  # the server is back
        assert client.get("/health").status_code == 200
        assert client.post("/graphql", json={"query": "{ items(first: 2) { totalCount } }"}).status_code == 200
    finally:
        store.driver = alive
        store.close()


def test_a_chunked_upload_over_the_cap_is_413(served: Served) -> None:
    def chunks():  # a multipart body with no Content-Length, far over the upload cap
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n'
        for _ in range(60):
            yield b"y" * (2**20)

    headers = {"Content-Type": "multipart/form-data; boundary=x", "X-API-Key": served.evaluator}
    assert served.client.post("/runs", content=chunks(), headers=headers).status_code == 413


def upload(client: TestClient, key: str, name: str, body: bytes) -> object:
    return client.post("/runs", files={"file": (name, body)}, data={"model": "m"}, headers={"X-API-Key": key})


def test_an_upload_is_read_off_the_event_loop(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    # the attack: one slow (or hostile) file froze /health for 11-13 s while it was parsed on the loop
    original = served.service.import_run

    def slow_import(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(served.service, "import_run", slow_import)
    body = b'{"item": "diagnosis:0", "prediction": "x"}\n'
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(upload, served.client, served.evaluator, "a.jsonl", body)
        time.sleep(0.3)
        started = time.perf_counter()
        assert served.client.get("/health").status_code == 200
        assert time.perf_counter() - started < 0.5  # answered while the upload was being read
        assert pending.result().status_code == 200


def test_malformed_delimited_uploads_name_the_row(served: Served) -> None:
    stray = b'index\tprediction\n0\t"an open quote\n1\tswallowed\n2\tswallowed too\n'
    response = upload(served.client, served.evaluator, "m_MMRarebench_Diagnosis.tsv", stray)
    assert response.status_code == 422 and "row starting on line 2 cannot be read" in response.text
    closed_badly = b'index\tprediction\n0\t"opened\n1\tclosed" later\n2\tok\n'
    response = upload(served.client, served.evaluator, "m_MMRarebench_Diagnosis.tsv", closed_badly)
    assert response.status_code == 422 and "row starting on line 2 cannot be read" in response.text
    closed_later = b'index\tprediction\n0\t"opened\n1\tclosed"\n2\tok\n'  # rows 0 and 1 would be one cell
    response = upload(served.client, served.evaluator, "m_MMRarebench_Diagnosis.tsv", closed_later)
    assert response.status_code == 422 and "runs over lines that hold tabs, from line 2" in response.text
    ragged = b"index\tprediction\n0\tok\textra\n1\n"
    response = upload(served.client, served.evaluator, "m_MMRarebench_Diagnosis.tsv", ragged)
    assert response.status_code == 422
    assert "row 1: JSON: 3 fields where the header has 2" in response.text
    assert "row 2: JSON: 1 fields where the header has 2" in response.text


def test_empty_uploads_are_refused_and_cost_nothing(held_out: tuple) -> None:
    client, keys = held_out
    for body in (b"", b"index\tprediction\n"):
        for _ in range(3):  # more than the day's two submissions
            response = upload(client, keys["eve"], "m_MMRarebench_Diagnosis.tsv", body)
            assert response.status_code == 422 and "no row answers an item" in response.text
    good = b'{"item": "diagnosis:0", "prediction": "x"}\n'
    assert upload(client, keys["eve"], "a.jsonl", good).status_code == 200  # the quota is untouched


def test_an_xlsx_with_entity_expansion_is_a_clean_4xx(served: Served) -> None:
    book = Workbook()
    book.active.append(["index", "prediction"])
    book.active.append([0, "x"])
    raw = io.BytesIO()
    book.save(raw)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{k} "{("&lol" + str(k - 1) + ";") * 10 if k else "&lol;" * 10}">'.encode() for k in range(9)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        + b'<c r="A1" t="inlineStr"><is><t>&lol8;</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = laughs if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item, data)
    response = upload(served.client, served.evaluator, "m_MMRarebench_Diagnosis.xlsx", out.getvalue())
    assert response.status_code == 422, response.text


def test_error_bodies_are_bounded(served: Served) -> None:
    rows = "".join(f"seven{k}\tx\n" for k in range(5000)).encode()
    response = upload(served.client, served.evaluator, "m_MMRarebench_Diagnosis.tsv", b"index\tprediction\n" + rows)
    assert response.status_code == 422 and len(response.content) < 10_000
    detail = response.json()["detail"]
    assert len(detail) == 21 and detail[-1] == "... and 4980 more problem(s) (5000 in all)"


LOOKALIKES = [
    "Own\u0435r-7B",  # a Cyrillic e
    "\uff2f\uff57\uff4e\uff45\uff52-7B",  # full-width letters: NFKC makes them the same name, so it is the owner's
    "Owner-7B\u00a0",  # a trailing no-break space: trimmed to the same name
    "Owner\u20107B",  # U+2010 for the hyphen
]


def test_model_names_belong_to_their_submitter(held_out: tuple) -> None:
    client, keys = held_out
    body = b'{"item": "diagnosis:0", "prediction": "x"}\n'
    mine = client.post(
        "/runs", files={"file": ("a.jsonl", body)}, data={"model": "Owner-7B"}, headers={"X-API-Key": keys["eve"]}
    )
    assert mine.status_code == 200
    # another evaluator cannot pool answers into eve's model, even sending eve's exact bytes
    theirs = client.post(
        "/runs", files={"file": ("b.jsonl", body)}, data={"model": "Owner-7B"}, headers={"X-API-Key": keys["mallory"]}
    )
    assert theirs.status_code == 422 and "belongs to another submitter" in theirs.text
    for name in LOOKALIKES:
        response = client.post(
            "/runs", files={"file": ("c.jsonl", body)}, data={"model": name}, headers={"X-API-Key": keys["mallory"]}
        )
        assert response.status_code == 422, name
        assert (
            "belongs to another submitter" in response.text or "reads the same as the model 'Owner-7B'" in response.text
        )
    # eve's run is still eve's, with its first file name
    runs = ask(client, "{ runs(mine: true) { runId sourceFile } }", keys["eve"])["data"]["runs"]
    assert [r["sourceFile"] for r in runs] == ["a.jsonl"]


def test_the_answer_oracle_is_closed(held_out: tuple, served: Served) -> None:
    """The probe's method: guess candidate diagnoses for held-out items, submit runs that test them,
    and read back whatever tells which guess was right. Every per-item signal is refused, and what is
    left moves only through the Ladder: two submissions that differ in one answer (the differential
    attack, here under two model names) show the same means, where a maintainer sees them differ."""
    client, keys = held_out
    items = [n.props for n in served.store.select("Item") if n.props["track"] == "diagnosis"]
    # run A answers the even items right and the odd ones wrong; run B also answers the first odd one right
    first_odd = items[1]["itemId"]
    runs = []
    for name in ("a", "b"):
        right = [n % 2 == 0 or (name == "b" and i["itemId"] == first_odd) for n, i in enumerate(items)]
        body = "".join(
            json.dumps({"item": i["itemId"], "prediction": i["answer"] if ok else "zzz no such disease"}) + "\n"
            for i, ok in zip(items, right, strict=True)
        )
        response = client.post(
            "/runs", files={"file": (f"probe-{name}.jsonl", body.encode())}, data={"model": f"probe-{name}"},
            headers={"X-API-Key": keys["mallory"]},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        runs.append(response.json()["runId"])
    third = upload(client, keys["mallory"], "probe2.jsonl", b'{"item": "diagnosis:0", "prediction": "x"}\n')
    assert third.status_code == 429  # the day's quota is spent
    # per item: no score, no F1, no judgement, even of the prober's own predictions
    per_item = ask(
        client,
        '{ items(first: 50, track: "diagnosis") { edges { node { predictions { text scores { score } } } } } }',
        keys["mallory"],
    )
    assert "a prediction's own score or judgement is derived from the answers" in message(per_item)
    for field in ("tokenF1", "judgements { score }"):
        query = f'{{ items(first: 5, track: "diagnosis") {{ edges {{ node {{ predictions {{ {field} }} }} }} }} }}'
        assert "derived from the answers" in message(ask(client, query, keys["mallory"]))
    assert "scored once" in message(
        ask(client, "mutation($r: String!) { scoreRun(runId: $r) { judged } }", keys["mallory"], r=runs[0])
    )
    # the differential: the maintainer sees B one item better; the prober sees the same means for both
    means = '{ report(by: "track", metric: "tokenF1", runs: $r) { rows { model n mean } means { model n micro } } }'
    query = "query($r: [String!]) " + means
    exact = {m["model"]: m["micro"] for m in ask(client, query, keys["maint"], r=runs)["data"]["report"]["means"]}
    n = len(items)
    assert exact["probe-b"] - exact["probe-a"] == pytest.approx(100 * (1 - f1_of_a_miss(items[1])) / n)
    seen = ask(client, query, keys["mallory"], r=runs)["data"]["report"]
    shown = {m["model"]: m["micro"] for m in seen["means"]}
    assert shown["probe-a"] == shown["probe-b"] == on_grid(exact["probe-a"], step_for(n))
    assert {r["model"]: r["mean"] for r in seen["rows"]} == shown and all(r["n"] >= 3 for r in seen["rows"])
    # the exact means elsewhere are the maintainers': the reference's keys, a study's table, contrasts
    for query in ("{ referenceScores { nTotal } }", "{ studyTables { model } }", "{ conditionContrasts { n } }"):
        assert "maintainers only on a held-out release" in message(ask(client, query, keys["mallory"]))
        assert "errors" not in ask(client, query, keys["maint"])


def f1_of_a_miss(item: dict) -> float:
    """Token F1 of the wrong guess against an item's answer: no token in common, 0."""
    assert not {"zzz", "no", "such", "disease"} & set(item["answer"].lower().split())
    return 0.0


REFUSED_WITHIN = 3.0  # seconds: 1.0 was once exceeded (1.29 s) while the other worker drove a browser


def test_a_report_naming_many_runs_is_refused_before_work(held_out: tuple, served: Served) -> None:
    client, _ = held_out
    many = [f"run-{k}" for k in range(50_000)]
    query = "query($r: [String!]) { report(runs: $r) { rows { n } } }"
    # a list that long is refused before its entries are coerced, and a held-out release's public
    # caller is refused before any run is looked up; each refusal takes about 0.1 s alone, the bound
    # leaves room for a loaded machine (another test worker, a browser) and not for a pass per entry
    started = time.perf_counter()
    assert "$r holds 50,000 entries; at most 1,000" in message(ask(client, query, r=many))
    assert time.perf_counter() - started < REFUSED_WITHIN
    assert "owners only" in message(ask(client, query, r=many[:1000]))
    started = time.perf_counter()
    assert "$r holds 50,000 entries; at most 1,000" in message(gql(served, query, r=many))
    assert time.perf_counter() - started < REFUSED_WITHIN
    # the service refuses a list no report needs whatever the surface
    with pytest.raises(ValueError, match="1,001 runs named; a report takes at most 1,000"):
        served.service.report(Principal("maint", "maintainer"), many[:1001], "track", "offline", None, False, 10)
    # the grouping that crashed on a prevalence class's own " / "
    crossed = gql(served, '{ report(by: "prevalence,images") { rows { group } } }', served.maintainer)
    assert "errors" not in crossed and crossed["data"]["report"]["rows"]
