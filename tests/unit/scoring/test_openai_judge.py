"""The openai judge against a local server that speaks the chat-completions protocol over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mmrare.scoring.judges import JudgeRequest
from mmrare.scoring.openai_judge import OpenAIJudge, OpenAISettings
from tests.fakes.chat_server import FakeChatServer, completion, running_chat_server


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    with running_chat_server() as srv:
        yield srv


def request(prediction: str, track: str = "diagnosis", images: tuple[bytes, ...] = ()) -> JudgeRequest:
    item = {
        "answer": "Marfan syndrome",
        "aliases": ["MFS"],
        "context": "A tall boy with lens dislocation.",
        "question": "Which tests?",
        "keyTests": ["FBN1 sequencing"],
        "mustInclude": ["beta-blocker"],
    }
    return JudgeRequest(f"{track}:0", track, item, prediction, (558,), images)


def judge(server: FakeChatServer, **kw: object) -> OpenAIJudge:
    return OpenAIJudge(OpenAISettings(server.url, "judge-model", api_key="secret", backoff=0.01, **kw))


def test_prompt_reply_and_protocol(server: FakeChatServer) -> None:
    server.script["alpha"] = [(200, completion("1. YES\n2. YES\n3. NO"))]
    server.script["omega"] = [(200, completion("Scores: 2 2 1 1 0 0 2 2"))]
    verdicts = judge(server, concurrency=2).judge_many(
        [request("alpha disease"), request("omega plan", track="examination")]
    )
    assert [(v.score, v.dims, v.error) for v in verdicts] == [
        (0.8, [1, 1, 0], None),
        (10 / 16, [2, 2, 1, 1, 0, 0, 2, 2], None),
    ]
    assert verdicts[0].reply == "1. YES\n2. YES\n3. NO"
    sent = {r["messages"][-1]["content"].split("Model's ")[-1][:20]: r for r in server.requests}
    assert all(r["model"] == "judge-model" and r["temperature"] == 0.0 for r in sent.values())
    assert all(h["Authorization"] == "Bearer secret" for h in server.headers_seen)
    diag_prompt = next(r for r in server.requests if "alpha" in r["messages"][-1]["content"])["messages"][-1]["content"]
    assert "Reference diagnosis: Marfan syndrome" in diag_prompt
    assert "A tall boy" not in diag_prompt  # the diagnosis prompt carries no case context
    exam_prompt = next(r for r in server.requests if "omega" in r["messages"][-1]["content"])["messages"][-1]["content"]
    assert "A tall boy" not in exam_prompt  # the examination prompt omits the case context


def test_retries_on_429_and_5xx_then_succeeds(server: FakeChatServer) -> None:
    server.script["beta"] = [(429, {"error": "slow down"}), (503, {"error": "busy"}), (200, completion("no no no"))]
    [v] = judge(server).judge_many([request("beta")])
    assert (v.score, v.error) == (0.0, None) and v.dims == [0, 0, 0]
    assert len(server.requests) == 3


def test_failures_score_zero_with_an_error(server: FakeChatServer) -> None:
    server.script["gamma"] = [(500, {"error": "x"})] * 3
    server.script["delta"] = [(400, {"error": "bad request"})]
    server.script["eps"] = [(200, "not json at all")]
    verdicts = judge(server, max_attempts=3).judge_many([request("gamma"), request("delta"), request("eps")])
    assert [v.score for v in verdicts] == [0.0, 0.0, 0.0]
    assert "gave up after 3 attempts: HTTP 500" in verdicts[0].error
    assert verdicts[1].error.startswith("HTTP 400")  # not retried
    assert "malformed chat-completions reply" in verdicts[2].error
    assert len(server.requests) == 3 + 1 + 1


def test_unreachable_endpoint_is_an_error_not_a_crash() -> None:
    j = OpenAIJudge(OpenAISettings("http://127.0.0.1:9/v1", "m", max_attempts=2, backoff=0.01, timeout=2))
    [v] = j.judge_many([request("x")])
    assert v.score == 0.0 and "gave up after 2 attempts" in v.error


def test_images_are_sent_as_data_urls(server: FakeChatServer) -> None:
    judge(server, send_images=True).judge_many([request("zeta", images=(b"\xff\xd8jpeg-bytes",))])
    content = server.requests[0]["messages"][-1]["content"]
    assert content[0]["type"] == "text" and content[1]["type"] == "image_url"
    assert content[1]["image_url"]["url"] == "data:image/jpeg;base64,/9hqcGVnLWJ5dGVz"


def test_config_hash_follows_model_and_decoding(server: FakeChatServer) -> None:
    a, b = judge(server), judge(server)
    assert a.config.hash == b.config.hash
    assert judge(server, temperature=0.7).config.hash != a.config.hash
    assert OpenAIJudge(OpenAISettings(server.url, "other-model")).config.hash != a.config.hash
