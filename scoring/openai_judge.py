"""An LLM judge over any OpenAI-compatible chat-completions endpoint.

Bounded concurrency (a thread pool), retries with exponential backoff on 429 and 5xx (honouring
Retry-After), a timeout per call, optional images for multimodal judges. A call that still fails
scores 0 and is recorded as an error.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from mmrare.core.tracks import ALL_TRACKS, judged_as
from mmrare.scoring.judges import JudgeConfig, JudgeRequest, Verdict, failed, llm_templates, verdict_from_reply
from mmrare.scoring.prompts import render

SYSTEM = "You are a strict medical examiner. Follow the answer format exactly."
RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class OpenAISettings:
    base_url: str  # e.g. http://127.0.0.1:8000/v1
    model: str
    api_key: str = ""
    temperature: float = 0.0
    max_tokens: int = 2048  # room for eight scored lines with reasons (examination)
    timeout: float = 60.0
    concurrency: int = 4
    max_attempts: int = 4
    backoff: float = 0.5  # seconds, doubled on each retry
    send_images: bool = False


class OpenAIJudge:
    def __init__(self, settings: OpenAISettings) -> None:
        self.settings = settings
        self.tracks = tuple(t.name for t in ALL_TRACKS if judged_as(t.name))
        decoding = (
            ("temperature", settings.temperature),
            ("max_tokens", settings.max_tokens),
            ("images", settings.send_images),
        )
        self.config = JudgeConfig("openai", settings.model, decoding, llm_templates())

    def prompt_for(self, request: JudgeRequest) -> str:
        return render(request.track, request.item, request.prediction)

    def judge_many(self, requests: Sequence[JudgeRequest]) -> list[Verdict]:
        with judge_client(self.settings) as client, ThreadPoolExecutor(self.settings.concurrency) as pool:
            return list(pool.map(lambda r: self._one(client, r), requests))

    def _content(self, request: JudgeRequest, prompt: str) -> str | list[dict]:
        if not (self.settings.send_images and request.images):
            return prompt
        parts: list[dict] = [{"type": "text", "text": prompt}]
        for data in request.images:
            url = "data:image/jpeg;base64," + base64.b64encode(data).decode()
            parts.append({"type": "image_url", "image_url": {"url": url}})
        return parts

    def _one(self, client: httpx.Client, request: JudgeRequest) -> Verdict:
        prompt = self.prompt_for(request)
        reply, error = chat(client, self.settings, self._content(request, prompt))
        if reply is None:
            return failed(prompt, error)
        return verdict_from_reply(request.track, prompt, reply)


def chat(client: httpx.Client, settings: OpenAISettings, content: str | list[dict]) -> tuple[str | None, str]:
    """One judge call: (the reply text, "") or (None, why it failed), retrying 429 and 5xx with backoff."""
    body = {
        "model": settings.model,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}],
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
    }
    error = "no attempt made"
    for attempt in range(settings.max_attempts):
        try:
            response = client.post("/chat/completions", json=body)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code == 200:
                try:
                    return response.json()["choices"][0]["message"]["content"] or "", ""
                except (ValueError, KeyError, IndexError, TypeError) as exc:
                    return None, f"malformed chat-completions reply: {exc!r}"
            error = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code not in RETRY_STATUS:
                return None, error
            retry_after = response.headers.get("retry-after")
            if retry_after and retry_after.replace(".", "", 1).isdigit():
                time.sleep(min(float(retry_after), 30.0))
                continue
        if attempt + 1 < settings.max_attempts:
            time.sleep(settings.backoff * 2**attempt)
    return None, f"gave up after {settings.max_attempts} attempts: {error}"


def judge_client(settings: OpenAISettings) -> httpx.Client:
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    return httpx.Client(base_url=settings.base_url.rstrip("/"), timeout=settings.timeout, headers=headers)
