"""Datasette plugin of the local inspection pages: Discover over findings, and an asset page.

Loaded by the Datasette process `medialens up` starts (`medialens.inspect.server`), which passes
the platform's endpoints and local credentials in its environment (`INSPECT_*` below). Everything
here reads: the index through Datasette's read-only connection, the APIs with signed GETs (and the
dataplane's `POST /download`, which only signs a URL).

- `_q=` on the `findings` table filters with `medialens search`'s own query syntax
  (`api.search.query`; the leading `_` because Datasette reads plain arguments as column filters),
  beside Datasette's facets and column filters; a query that cannot be read
  shows no rows and says how to write it, never an error page.
- Asset ids link to `/-/asset/{AssetId}`; labels are highlighted where they match `_q` (in the
  browser: Datasette 0.65's cell hook does not see the request).
- `/-/asset/{AssetId}`: the asset's media from a presigned URL, its executions with stage and
  operator statuses, and its findings on a timeline, one track per operator.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import threading
import time
from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import Response
from markupsafe import Markup

from api.search.query import QuerySyntaxError, parse
from medialens.inspect import PARENT_PID_ENV
from medialens.inspect.asset_view import AssetView

DATABASE = "search"  # Datasette names the database after its file, search.sqlite3
ASSET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,127}$")
_TERM = re.compile(r"[\w.@/-]+", re.UNICODE)
_FTS_WORDS = {"AND", "OR", "NOT", "NEAR"}


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> FilterArguments | None:
    if table not in ("findings", "documents"):
        return None
    where: list[str] = []
    params: dict[str, Any] = {}
    said: list[str] = []
    query = (request.args.get("_q") or "").strip()
    if query:
        try:
            parsed = parse(query)
        except QuerySyntaxError as exc:
            return FilterArguments(
                ["0"], human_descriptions=[f'no rows: the query "{query}" cannot be read ({exc})']
            )
        text_table, key = ("findings_text", "id") if table == "findings" else ("documents_text", "rowid")
        if parsed.match is not None:
            where.append(f"{key} IN (SELECT rowid FROM {text_table} WHERE {text_table} MATCH :medialens_q)")
            params["medialens_q"] = parsed.match
        for position, condition in enumerate(parsed.filters):
            name = f"medialens_f{position}"
            where.append("(" + " OR ".join(f"{column} = :{name}" for column in condition.columns) + ")")
            params[name] = condition.value
        said.append(f'matching "{query}"')
    if table == "findings":
        for argument, comparison, words in (("_from", ">=", "at or after"), ("_to", "<=", "at or before")):
            seconds = _seconds(request.args.get(argument))
            if seconds is not None:
                where.append(f"start_ms {comparison} :medialens{argument}")
                params[f"medialens{argument}"] = int(seconds * 1000)
                said.append(f"starting {words} {seconds:g} s")
    return FilterArguments(where, params, said) if where else None


def _seconds(value: str | None) -> float | None:
    """A time in seconds from a form field; blank or unreadable is no bound."""
    try:
        seconds = float(value) if value and value.strip() else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


@hookimpl
def render_cell(value: Any, column: str, table: str | None) -> Any:
    wanted = table in ("findings", "documents") and column == "asset_id"
    if wanted and isinstance(value, str) and ASSET_ID.match(value):
        safe = html.escape(value)
        return Markup(f'<a class="asset-link" href="/-/asset/{safe}">{safe}</a>')
    if table == "findings" and column == "document" and isinstance(value, int):
        href = f"/{DATABASE}/documents?rowid={value}"
        return Markup(f'<a class="document-link" href="{href}">result {value}</a>')
    if table == "findings" and column == "box" and isinstance(value, str):
        try:
            box = json.loads(value)
            return ", ".join(f"{name} {float(box[name]):.2f}" for name in ("left", "top", "width", "height"))
        except (ValueError, KeyError, TypeError):
            return None
    return None


@hookimpl
def extra_body_script(table: str | None, view_name: str, request: Any) -> str:
    """On the findings table, wrap the words of `_q` in <mark> in the label column."""
    if table != "findings" or view_name != "table" or request is None:
        return ""
    words = highlight_words(request.args.get("_q") or "")
    return _FORM_SCRIPT + (_HIGHLIGHT_SCRIPT.replace("WORDS", json.dumps(words)) if words else "")


def highlight_words(query: str) -> list[str]:
    """The words of a `medialens search` query, without its operators, prefixes' `*` or key:value."""
    return [
        w.rstrip("*")
        for w in _TERM.findall(query)
        if w.upper() not in _FTS_WORDS and ":" not in w and w.rstrip("*")
    ]


# The search form shows what the page was asked for.
_FORM_SCRIPT = """
(() => {
  const asked = new URLSearchParams(location.search);
  document.querySelectorAll("form.medialens-search input[name]").forEach(input => {
    if (asked.has(input.name)) input.value = asked.get(input.name);
  });
})();
"""

# Runs after the table renders: text nodes only, so the page's own markup is never rewritten.
_HIGHLIGHT_SCRIPT = """
(() => {
  const words = WORDS.map(w => w.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&"));
  const pattern = new RegExp("(" + words.join("|") + ")", "gi");
  document.querySelectorAll("td.col-label").forEach(cell => {
    const text = cell.textContent;
    if (!pattern.test(text)) return;
    pattern.lastIndex = 0;
    cell.textContent = "";
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      cell.append(text.slice(last, match.index));
      const mark = document.createElement("mark");
      mark.textContent = match[0];
      cell.append(mark);
      last = match.index + match[0].length;
    }
    cell.append(text.slice(last));
  });
})();
"""


@hookimpl
def startup() -> None:
    """End with the platform: a `kill -9` of `medialens up` must not leave this server behind."""
    parent = os.environ.get(PARENT_PID_ENV, "")
    if parent.isdigit():
        threading.Thread(target=_exit_when_orphaned, args=(int(parent),), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/asset/(?P<asset_id>[^/]+)$", asset_page)]


async def asset_page(datasette: Any, request: Any) -> Response:
    asset_id = request.url_vars["asset_id"]
    if not ASSET_ID.match(asset_id):
        return Response.html("<h1>400</h1><p>not an asset id</p>", status=400)
    database = datasette.get_database()
    rows = await database.execute(
        "SELECT id, operator, kind, label, start_ms, stop_ms, confidence, box FROM findings"
        " WHERE asset_id = ? ORDER BY operator, start_ms, id",
        [asset_id],
    )
    found = [dict(row) for row in rows]
    view = AssetView.from_environment(os.environ)
    details = await asyncio.to_thread(view.load, asset_id)  # signed HTTP calls: off the event loop
    if not found and not details.executions and not details.executions_error:
        message = f"no asset {asset_id}: no execution and no finding names it"
        return Response.html(f"<h1>404</h1><p>{message}</p>", status=404)
    body = await datasette.render_template(
        "asset.html",
        {
            "asset_id": asset_id,
            "media": details.media,
            "media_error": details.media_error,
            "executions": details.executions,
            "executions_error": details.executions_error,
            "findings_json": Markup(json.dumps(found).replace("</", "<\\/")),
            "finding_count": len(found),
        },
        request=request,
    )
    return Response.html(body)
