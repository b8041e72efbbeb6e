"""The ``summarizer`` command: summarize an article file, a web page's URL or standard input.

The modules that load the LLM client libraries (seconds of imports) are imported once the
status line is up, so that a terminal shows what is happening from the start.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rich.console import Console

from summarizer.cli.screen import screen
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.files import atomic_write
from summarizer.render.html import to_html_page
from summarizer.render.markdown import to_markdown
from summarizer.render.terminal import render_terminal
from summarizer.result import Article, ArticleSummary
from summarizer.settings import Settings
from summarizer.status import status

FORMATS = ("rich", "markdown", "json", "html")
EXIT_FAILED = 1
EXIT_USAGE = 2
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

COMMANDS = """commands:
  summarizer PATH|URL ...          summarize articles (this command; options above)
  summarizer batch                 summarize a JSON-lines file of articles, resumably
  summarizer batch prepare         write OpenAI Batch API requests for a JSON-lines file
  summarizer batch collect         verify a batch engine's answers into results
  summarizer batch execute         answer a requests file with an OpenAI-compatible server
  summarizer eval                  measure claims and attribution on a labelled dataset

Each command has its own --help. Exit status: 0 done, 1 the provider failed (or some
articles of a batch did), 2 bad input or configuration."""


def _version() -> str:
    try:
        return version("summarizer")
    except PackageNotFoundError:
        return "unknown"


def _voice_options(parser: argparse.ArgumentParser) -> None:
    """-v and --quiet: what the command says on standard error while it works."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="show the library's log records; -vv also those of the HTTP layer",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no status line, only errors on stderr"
    )


def _verbosity(args: argparse.Namespace) -> int:
    return -1 if args.quiet else int(args.verbose)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer",
        description="Summarize a news article into verified, attributed claims. On a "
        "terminal,\na status line on standard error says what it is doing.",
        epilog=COMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="article text or HTML file, an http(s) URL to fetch, or - for stdin",
    )
    parser.add_argument("--version", action="version", version=f"summarizer {_version()}")
    _voice_options(parser)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="rich (the default on a terminal), markdown (the default otherwise), json (one "
        "object; one per line for several articles) or html (a standalone report page)",
    )
    parser.add_argument("--model", help="model name (default: SUMMARIZER_MODEL or backend's)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (SUMMARIZER_BASE_URL)")
    parser.add_argument("--title", help="the article's title, if known")
    parser.add_argument(
        "--html",
        action="store_true",
        help="the input is a web page (detected when it starts with <html> or <!doctype html>)",
    )
    parser.add_argument(
        "--no-clean", action="store_true", help="keep page furniture (menus, links, comments)"
    )
    parser.add_argument("-o", "--output", help="write here instead of standard output")
    parser.add_argument(
        "--strict", action="store_true", help="fail if any proposed claim cannot be verified"
    )
    return parser


def _read(path: str) -> str:
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"Cannot read {path}: {e.strerror or e}") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path} is not UTF-8 text (byte {e.start}); convert it, e.g. with iconv."
        ) from e


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    with atomic_write(output) as f:  # a failure never leaves half a file behind
        f.write(text)


def _eval_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer eval",
        description="Summarize every article of a labelled JSON-lines dataset and print a "
        "table: claims kept and rejected, attribution statuses, tokens, calls, seconds, and "
        "agreement with PolNeAR attribution spans where the records have them.",
    )
    parser.add_argument("dataset", help="a JSON-lines file with id and article per record")
    parser.add_argument("--limit", type=int, help="only the first N records")
    parser.add_argument("--model", help="model name (default: SUMMARIZER_MODEL or backend's)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (SUMMARIZER_BASE_URL)")
    _voice_options(parser)
    return parser


def _error(message: object, status: int) -> int:
    print(f"summarizer: error: {message}", file=sys.stderr)
    return status


def _eval(argv: Sequence[str]) -> int:
    from summarizer.evaluate import evaluate, format_table, read_dataset

    args = _eval_parser().parse_args(argv)
    try:
        settings = Settings.resolve(model=args.model, base_url=args.base_url)
        records = list(read_dataset(args.dataset))
    except (OSError, ValueError) as e:
        return _error(f"cannot read {args.dataset}: {e}", EXIT_USAGE)
    except ConfigError as e:
        return _error(e, EXIT_USAGE)

    def work() -> int:
        with screen(_verbosity(args)):
            rows = evaluate(records, settings=settings, limit=args.limit)
        print(format_table(rows))
        return 0

    return _exit_status(work)


def _batch_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer batch",
        description="Summarize every record of a JSON-lines file (id, and text, article or "
        "html) into OUT, one line per article written as soon as it is done. Run it again to "
        "resume: articles that already have a line in OUT are skipped. Also: `summarizer batch "
        "prepare|collect|execute` for batch engines (OpenAI Batch API, vLLM run-batch).",
    )
    parser.add_argument("input", metavar="INPUT.jsonl")
    parser.add_argument("--out", required=True, metavar="OUT.jsonl")
    parser.add_argument("--concurrency", type=int, default=4, help="articles at once (4)")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes sharing the file, each with --concurrency articles at once (1)",
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="also redo articles whose line is an error"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    _endpoint_options(parser)
    _voice_options(parser)
    return parser


def _endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model name (default: SUMMARIZER_MODEL or backend's)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (SUMMARIZER_BASE_URL)")
    parser.add_argument(
        "--no-clean", action="store_true", help="keep page furniture (menus, links, comments)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail an article if any claim cannot be verified"
    )


_FILES_STEPS = {
    "collect": "Verify a batch engine's output file against prepared requests: one result or "
    "error line per article, to --out or standard output.",
    "execute": "Send each request of a requests file to an OpenAI-compatible server (default: "
    "the configured backend) and write the Batch API output file.",
}


def _files_parser(step: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"summarizer batch {step}")
    if step == "prepare":
        parser.description = (
            "Write one OpenAI Batch API request per record of INPUT.jsonl to OUT, and the "
            "articles to verify against beside it (OUT's name with .articles.jsonl)."
        )
        parser.add_argument("input", metavar="INPUT.jsonl")
        parser.add_argument("--out", required=True, metavar="requests.jsonl")
        parser.add_argument("--model", help="model to request (default: SUMMARIZER_MODEL)")
        parser.add_argument("--no-clean", action="store_true", help="keep page furniture")
    else:  # collect and execute read a requests file and a batch engine's output file
        parser.description = _FILES_STEPS[step]
        parser.add_argument("requests", metavar="requests.jsonl")
        parser.add_argument("results", metavar="results.jsonl")
        if step == "collect":
            parser.add_argument("--out", metavar="summaries.jsonl")
            parser.add_argument("--strict", action="store_true", help="fail unverified articles")
        else:
            parser.add_argument("--base-url", help="OpenAI-compatible endpoint")
    _voice_options(parser)
    return parser


def _exit_status(work: Callable[[], int], *, on_interrupt: str | None = None) -> int:
    """Run a command's work; a typed error becomes its message and exit status."""
    try:
        return work()
    except (InputError, ConfigError) as e:
        return _error(e, EXIT_USAGE)
    except SummarizerError as e:
        return _error(e, EXIT_FAILED)
    except OSError as e:
        return _error(f"cannot write {e.filename or 'the output'}: {e.strerror or e}", EXIT_FAILED)
    except KeyboardInterrupt:
        if on_interrupt:
            print(f"summarizer: {on_interrupt}", file=sys.stderr)
        return 130


def _batch(argv: Sequence[str]) -> int:
    if argv[:1] and argv[0] in ("prepare", "collect", "execute"):
        return _batch_files(argv[0], argv[1:])
    args = _batch_parser().parse_args(argv)

    def work() -> int:
        from summarizer.batch.runs import run_jsonl

        # The batch's own progress bar says what it is doing; no status line beside it.
        with screen(_verbosity(args), live=False):
            report = asyncio.run(
                run_jsonl(
                    args.input,
                    args.out,
                    concurrency=args.concurrency,
                    model=args.model,
                    base_url=args.base_url,
                    strict=args.strict,
                    clean=not args.no_clean,
                    progress=False if args.no_progress or args.quiet else None,
                    retry_failed=args.retry_failed,
                    processes=args.processes,
                )
            )
        print(
            f"summarizer: {report.done} summarized, {report.failed} failed, {report.skipped} "
            f"already in {args.out}; {report.total_tokens:,} tokens",
            file=sys.stderr,
        )
        return EXIT_FAILED if report.failed else 0

    return _exit_status(work, on_interrupt=f"stopped; run the same command to resume {args.out}")


def _batch_files(step: str, argv: Sequence[str]) -> int:
    args = _files_parser(step).parse_args(argv)

    def work() -> int:
        # Each step ends in a one-line report; a status line per record would only flicker.
        with screen(_verbosity(args), live=False):
            return _run_step(step, args)

    return _exit_status(work)


def _run_step(step: str, args: argparse.Namespace) -> int:
    from summarizer.batch import engine as batchfile

    if step == "prepare":
        report = batchfile.prepare(args.input, args.out, model=args.model, clean=not args.no_clean)
        print(
            f"summarizer: {report.written} requests in {args.out}, {report.failed} articles "
            f"refused (their errors are in {batchfile.articles_path(args.out)})",
            file=sys.stderr,
        )
        return 0
    if step == "execute":
        report = batchfile.execute(args.requests, args.results, base_url=args.base_url)
        print(f"summarizer: {report.written} answered, {report.failed} failed", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        target = args.out or str(Path(tmp) / "summaries.jsonl")
        report = batchfile.collect(args.requests, args.results, target, strict=args.strict)
        if args.out is None:
            sys.stdout.write(Path(target).read_text(encoding="utf-8"))
    print(f"summarizer: {report.written} verified, {report.failed} errors", file=sys.stderr)
    return EXIT_FAILED if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status (0 ok, 1 failed, 2 bad input or setup)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        return _eval(argv[1:])
    if argv[:1] == ["batch"]:
        return _batch(argv[1:])
    args = _parser().parse_args(argv)
    fmt = args.format or ("rich" if args.output is None and sys.stdout.isatty() else "markdown")

    def work() -> int:
        settings = Settings.resolve()
        results = []
        with screen(_verbosity(args)):  # the status line is cleared before the result prints
            status("loading")
            from summarizer.pipeline.run import summarize

            for path in args.paths:
                results.append(
                    summarize(
                        _article(path, args),
                        model=args.model,
                        base_url=args.base_url,
                        settings=settings,
                        strict=args.strict,
                        clean=not args.no_clean,
                    )
                )
        if fmt == "rich":
            console = Console()
            for result in results:
                render_terminal(result, console)
        else:
            _write(_render(results, fmt), args.output)
        return 0

    return _exit_status(work)


def _article(path: str, args: argparse.Namespace) -> Article:
    """The article a PATH argument names: a page to fetch, or a file's text or HTML."""
    if _SCHEME.match(path):
        if not path.lower().startswith(("http://", "https://")):
            raise InputError(f"Cannot fetch {path}: only http:// and https:// URLs are fetched.")
        return Article(url=path, title=args.title)
    content = _read(path)
    if args.html:
        return Article(html=content, title=args.title)
    return Article(text=content, title=args.title)


def _render(results: list[ArticleSummary], fmt: str) -> str:
    if fmt == "html":
        return to_html_page(
            results, title=results[0].headline if len(results) == 1 else "Summaries"
        )
    if fmt == "json":
        if len(results) == 1:
            return results[0].model_dump_json(indent=2) + "\n"
        return "".join(r.model_dump_json() + "\n" for r in results)
    return "\n---\n\n".join(to_markdown(r) for r in results)


if __name__ == "__main__":
    sys.exit(main())
