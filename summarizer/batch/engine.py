"""The same jobs on a batch engine: the OpenAI Batch API file format, which vLLM's
``run-batch`` entry point also reads.

:func:`prepare` writes one chat-completion request per article (``custom_id`` = the article's
id), exactly the request :func:`summarizer.summarize` would send first, and beside it an
``.articles.jsonl`` file holding each article as the library will verify it. The engine runs
the requests; :func:`collect` reads its output file and runs the same parsing, grounding and
attribution as ``summarize``, writing one result or error line per article.

A batch engine answers each request once, so nothing is re-asked: a claim that fails
verification is rejected with its reason, and a reply that fails the schema is an error line.
Nor can the judge (summarizer.pipeline.judge) rule, as it needs a second request: ``judge=on``
is refused with a ConfigError, and ``auto`` means off here.
An article longer than one request can hold gets an error line that says so; summarize it with
``summarizer batch INPUT.jsonl``, which splits it into parts.

:func:`execute` is a small engine of its own: it sends each request of a requests file to an
OpenAI-compatible server and writes the output file the Batch API would, so that the round
trip can be run against any server, the embedded one included.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import instructor
import openai
from instructor.processing.response import handle_response_model
from pydantic import BaseModel, ValidationError

from summarizer.batch.formats import URL, output_offsets, read_entries, read_requests
from summarizer.batch.records import (
    BatchFailure,
    Outcome,
    UnreadableLine,
    article_from_record,
    batch_line,
    read_records,
    record_id,
)
from summarizer.errors import (
    ConfigError,
    InputError,
    ModelRefusedError,
    OutputTruncatedError,
    ProviderError,
    RetriesExhaustedError,
    SummarizerError,
)
from summarizer.files import atomic_write, open_input
from summarizer.llm.backends import OPENAI_CONTEXT, Endpoint, resolve_endpoint, sync_client
from summarizer.llm.call import Reply, Request, tool_model
from summarizer.llm.faults import refusal_of, short_reason, usage_of
from summarizer.pipeline.plan import Plan, plan_article, story
from summarizer.pipeline.requests import opening_request
from summarizer.pipeline.run import from_reply
from summarizer.pipeline.templates import prompt_version
from summarizer.result import Article, ArticleSummary
from summarizer.schema import Extraction
from summarizer.settings import Settings


@dataclass
class FileReport:
    """How many lines of each kind a step wrote."""

    written: int = 0
    failed: int = 0


def articles_path(requests_path: str | Path) -> Path:
    """Where :func:`prepare` keeps the articles of a requests file: ``NAME.articles.jsonl``."""
    path = Path(requests_path)
    stem = path.name.removesuffix(".jsonl")
    return path.with_name(f"{stem}.articles.jsonl")


def request_body(request: Request, model: str, settings: Settings) -> dict[str, Any]:
    """The chat-completion body instructor sends for ``request`` (a forced tool call)."""
    _, kwargs = handle_response_model(
        tool_model(request.response_model, request.schema),
        mode=instructor.Mode.TOOLS,
        messages=request.messages,
    )
    return {
        "model": model,
        **kwargs,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
    }


def prepare(
    input_path: str | Path,
    out_path: str | Path,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    clean: bool = True,
) -> FileReport:
    """Write one Batch API request per record of a JSON-lines file (records as for
    :func:`summarizer.batch.runs.run_jsonl`), and the articles file beside it.

    The model is ``model``, else ``SUMMARIZER_MODEL``, else the OpenAI default; the context
    size is ``context_tokens``, else OpenAI's. Both files are written whole or not at all.

    Raises:
        InputError: the input cannot be read, or an id occurs twice.
        ConfigError: the judge is on (``judge=on``), which a batch engine cannot run.
    """
    settings = settings or Settings.resolve()
    _refuse_judge(settings)
    model = model or settings.model or settings.openai_model
    endpoint = Endpoint(
        "openai", model, None, context_tokens=settings.context_tokens or OPENAI_CONTEXT
    )
    report = FileReport()
    seen: set[str] = set()
    with atomic_write(out_path) as requests, atomic_write(articles_path(out_path)) as articles:
        for index, record in enumerate(read_records(Path(input_path))):
            custom_id = record_id(record, index)
            if custom_id in seen:
                raise InputError(f"{input_path}: id {custom_id!r} occurs twice.")
            seen.add(custom_id)
            entry: dict[str, Any] = {"custom_id": custom_id, "prompt_version": prompt_version()}
            try:
                body = _prepared(record, entry, model, settings, endpoint, clean)
            except SummarizerError as error:
                entry["error"] = {"type": type(error).__name__, "message": str(error)}
                report.failed += 1
            else:
                line = {"custom_id": custom_id, "method": "POST", "url": URL, "body": body}
                requests.write(json.dumps(line, ensure_ascii=False) + "\n")
                report.written += 1
            articles.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return report


def _refuse_judge(settings: Settings) -> None:
    """Refuse ``judge=on``: an engine answers once, and the judge asks after the claims."""
    if settings.judge == "on":
        raise ConfigError(
            "The judge is not available for batch-engine files: an engine answers each "
            "request once, and the judge needs a second request once the claims are verified. "
            "Set SUMMARIZER_JUDGE=off (or auto) for prepare and collect, or summarize with "
            "`summarizer batch INPUT.jsonl --out OUT.jsonl`, which runs the judge."
        )


def _prepared(
    record: object,
    entry: dict[str, Any],
    model: str,
    settings: Settings,
    endpoint: Endpoint,
    clean: bool,
) -> dict[str, Any]:
    """The request body for one record; fills ``entry`` with the article to verify against."""
    if isinstance(record, UnreadableLine):
        raise InputError(record.reason)
    article = article_from_record(record) if isinstance(record, dict) else record
    plan = plan_article(article, settings, endpoint, clean)
    doc = plan.article
    entry.update(article=doc.model_dump(mode="json", exclude={"html"}), source=plan.source)
    entry["clean"] = clean
    if len(plan.chunks) > 1:
        raise InputError(
            f"The article is too long for one request to {model} (context "
            f"{endpoint.context_tokens} tokens); summarize it with `summarizer batch`, which "
            "splits it into parts, or raise context_tokens."
        )
    return request_body(opening_request(doc, plan.cleaned, settings), model, settings)


def collect(
    requests_path: str | Path,
    results_path: str | Path,
    out_path: str | Path,
    *,
    settings: Settings | None = None,
    strict: bool = False,
) -> FileReport:
    """Verify a batch engine's output file against the prepared articles; write one line per
    article (as :func:`summarizer.batch.runs.run_jsonl` does), in the order of the articles file.

    An article without a result in the output file, or whose result is an error, gets an error
    line. The output is written whole or not at all.

    Raises:
        InputError: a file is missing, or is not what prepare and a batch engine write: a line
            that is not JSON or lacks what it must hold (the message names the file and the
            line), an id twice or one that was not prepared, an empty file.
        ConfigError: the judge is on (``judge=on``), which a batch engine cannot run.
    """
    settings = settings or Settings.resolve()
    _refuse_judge(settings)
    articles = articles_path(requests_path)
    prepared = {custom_id: "error" not in entry for _, entry, custom_id in read_entries(articles)}
    if not prepared:
        raise InputError(f"{articles} holds no articles: was the input of prepare empty?")
    results = output_offsets(Path(results_path), prepared, articles)
    report = FileReport()
    with atomic_write(out_path) as out, open_input(results_path, binary=True) as results_file:
        for index, entry, custom_id in read_entries(articles):
            outcome = _collect_one(index, entry, results, results_file, settings, strict)
            out.write(batch_line(custom_id, outcome))
            report.failed += isinstance(outcome, BatchFailure)
            report.written += not isinstance(outcome, BatchFailure)
    return report


def _collect_one(
    index: int,
    entry: dict[str, Any],
    results: dict[str, int],
    results_file: IO[bytes],
    settings: Settings,
    strict: bool,
) -> Outcome:
    custom_id = str(entry["custom_id"])
    try:
        if "error" in entry:
            raise _Prepared(entry["error"]["type"], entry["error"]["message"])
        if entry.get("prompt_version") != prompt_version():
            raise InputError(
                f"The request was prepared with prompts {entry.get('prompt_version')}; this "
                f"library has {prompt_version()}. Collect with the version that prepared it."
            )
        if custom_id not in results:
            raise ProviderError("The batch output has no result for this request.")
        results_file.seek(results[custom_id])
        return _verify(entry, json.loads(results_file.readline()), settings, strict)
    except _Prepared as error:
        return BatchFailure(id=custom_id, index=index, error_type=error.kind, message=str(error))
    except SummarizerError as error:
        return BatchFailure(
            id=custom_id, index=index, error_type=type(error).__name__, message=str(error)
        )


class _Prepared(Exception):
    """An error prepare recorded for an article."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _verify(
    entry: dict[str, Any], output: dict[str, Any], settings: Settings, strict: bool
) -> ArticleSummary:
    """Run the pipeline's checks on one answer from the engine."""
    completion = _completion(output)
    reply = Reply(_extraction(completion), usage_of(completion.usage), attempts=1, seconds=0.0)
    article = Article.model_validate(entry["article"])
    source: Literal["text", "html"] = "html" if entry.get("source") == "html" else "text"
    given = Plan.whole(article, source, story(article.text, entry.get("clean", True)))
    return from_reply(given, reply, completion.model, settings, strict=strict)


def _completion(output: dict[str, Any]) -> Any:
    """The chat completion in one output line, or the error it reports."""
    error = output.get("error")
    response = output.get("response") or {}
    status = response.get("status_code")
    if error or status != 200:
        detail = error or response.get("body") or {}
        message = detail.get("message") if isinstance(detail, dict) else str(detail)
        if isinstance(detail, dict) and isinstance(detail.get("error"), dict):
            message = detail["error"].get("message")
        raise ProviderError(
            f"The batch engine could not answer this request (status {status}): {message}",
            status_code=status if isinstance(status, int) else None,
        )
    try:
        return openai.types.chat.ChatCompletion.model_validate(response["body"])
    except (ValidationError, KeyError) as e:
        raise ProviderError(f"The batch output's body is not a chat completion: {e}") from e


def _extraction(completion: Any) -> BaseModel:
    """The Extraction in a completion's forced tool call; no re-ask is possible here."""
    if not completion.choices:
        raise ProviderError("The batch output's completion has no choices.")
    choice = completion.choices[0]
    usage = usage_of(completion.usage)
    if choice.finish_reason == "length":
        raise OutputTruncatedError(
            "The model's reply hit the token limit before it was complete; prepare again with "
            "a higher max_tokens.",
            usage=usage,
            last_response=None,
            completions=1,
        )
    refusal = refusal_of(completion)
    if refusal:
        raise ModelRefusedError(
            f"The model refused to answer: {short_reason(refusal)}",
            usage=usage,
            last_response=None,
            completions=1,
        )
    calls = choice.message.tool_calls or []
    named = [c for c in calls if getattr(c, "function", None) and c.function.name == "Extraction"]
    if not named:
        raise RetriesExhaustedError(
            "The reply has no Extraction tool call, and a batch cannot re-ask.",
            attempts=["no Extraction tool call"],
            usage=usage,
            last_response=None,
            completions=1,
        )
    try:
        return Extraction.model_validate_json(named[0].function.arguments)
    except ValidationError as e:
        reason = short_reason(e)
        raise RetriesExhaustedError(
            f"The reply failed schema validation, and a batch cannot re-ask: {reason}",
            attempts=[f"reply failed validation: {reason}"],
            usage=usage,
            last_response=None,
            completions=1,
        ) from None


def execute(
    requests_path: str | Path,
    results_path: str | Path,
    *,
    base_url: str | None = None,
    settings: Settings | None = None,
) -> FileReport:
    """Send every request of a requests file to an OpenAI-compatible server, one at a time,
    and write the output file the Batch API would (``custom_id``, ``response`` with
    ``status_code`` and ``body``, or ``error``), whole or not at all.

    The whole file is checked before the first request is sent.

    Raises:
        InputError: the requests file cannot be read, is empty, or has a line that is not a
            Batch API chat-completion request (the message names the line), or an id twice.
    """
    if not sum(1 for _ in read_requests(Path(requests_path))):  # every line checked, none sent
        articles = articles_path(requests_path)
        refused = f" prepare refused every article: see {articles}." if articles.exists() else ""
        raise InputError(f"{requests_path} holds no requests; there is nothing to send.{refused}")
    settings = settings or Settings.resolve()
    settings = settings.replace(base_url=base_url or settings.base_url)
    if settings.base_url and not settings.model:
        # Each request names its model; a server address alone is enough to send them.
        settings = settings.replace(model="as-requested")
    endpoint = resolve_endpoint(settings)
    client = sync_client(endpoint, settings)
    report = FileReport()
    try:
        with atomic_write(results_path) as out:
            for number, custom_id, body in read_requests(Path(requests_path)):
                if endpoint.kind == "local":  # the embedded server has one model
                    body["model"] = endpoint.model
                output = _sent(client, body, report)
                line = {"id": f"batch_req_{number}", "custom_id": custom_id, **output}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        client.close()
    return report


def _sent(client: openai.OpenAI, body: dict[str, Any], report: FileReport) -> dict[str, Any]:
    """One request's ``response`` and ``error``, as the Batch API writes them."""
    known = {k: v for k, v in body.items() if k in _CREATE_PARAMS}
    # Fields the openai client does not name still go to the server, as an engine sends them.
    extra = {k: v for k, v in body.items() if k not in _CREATE_PARAMS}
    try:
        completion = client.chat.completions.create(**known, extra_body=extra or None)
    except openai.APIStatusError as e:
        report.failed += 1
        return {"response": {"status_code": e.status_code, "body": e.body}, "error": None}
    except openai.APIConnectionError as e:
        report.failed += 1
        return {"response": None, "error": {"code": "connection_error", "message": str(e)}}
    report.written += 1
    return {
        "response": {
            "status_code": 200,
            "request_id": completion.id,
            "body": completion.model_dump(mode="json", exclude_unset=True),
        },
        "error": None,
    }


# The body fields the openai client's create() takes by name; the rest go as extra_body.
_CREATE_PARAMS = frozenset(
    inspect.signature(openai.resources.chat.Completions.create).parameters
) - {"self", "extra_headers", "extra_query", "extra_body", "timeout"}
