"""The engine console's page: one self-contained HTML document (no CDN, no external file).

Like the toolkit's Test Console: a Ready badge checked every 2 s until the engine is ready (then
not again, as the platform does), the form of `/process` fields (chunk file, `chunkMimeType`,
`startOffsetMS`, `endOffsetMS`, `width`, `height`, `payload`, `libraryId`,
`libraryEngineModelId`), and the answer pretty-printed with its VTN validation verdict, the
fields sent below it.
"""

from __future__ import annotations

import json
from html import escape

from api.engines.models import EngineBlock

# The toolkit console's pre-filled payload (engine/console.go), with this console's names.
SAMPLE_PAYLOAD = {
    "applicationId": "medialens-console",
    "recordingId": "recording-1",
    "jobId": "job-1",
    "taskId": "task-1",
    "mode": "chunk",
}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Medialens engine console</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 12px 20px;
  display: flex; gap: 16px; align-items: center; }
header h1 { font-size: 18px; margin: 0; flex: 1; }
.badge { padding: 4px 10px; border-radius: 12px; font-weight: 600; background: #b3261e; }
.badge.ready { background: #2e7d32; }
main { display: grid; grid-template-columns: minmax(300px, 400px) minmax(0, 1fr); gap: 20px; padding: 20px; }
section { background: #fff; border-radius: 6px; padding: 16px; box-shadow: 0 1px 2px #0002; }
label { display: block; margin: 8px 0 2px; font-weight: 600; }
input, textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 4px; }
textarea { font-family: ui-monospace, monospace; min-height: 110px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
button { margin-top: 14px; padding: 8px 18px; font: inherit; font-weight: 600; cursor: pointer; }
pre { background: #0f1420; color: #e6e9ef; padding: 12px; overflow: auto; max-height: 60vh;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.ok { color: #2e7d32; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; }
.muted { color: #5b6475; }
</style></head>
<body>
<header><h1>Medialens engine console</h1>
<span class="muted">__MODE__ engine at __PROCESS__ · validation __VALIDATION__</span>
<span id="ready-badge" class="badge">NOT READY</span></header>
<main>
<section>
<form id="process-form">
<label for="chunk">Chunk file</label><input id="chunk" name="chunk" type="file" required>
<label for="chunkMimeType">chunkMimeType</label><input id="chunkMimeType" name="chunkMimeType">
<div class="pair">
<div><label for="startOffsetMS">startOffsetMS</label>
<input id="startOffsetMS" name="startOffsetMS" value="0"></div>
<div><label for="endOffsetMS">endOffsetMS</label><input id="endOffsetMS" name="endOffsetMS" value="0"></div>
<div><label for="width">width</label><input id="width" name="width"></div>
<div><label for="height">height</label><input id="height" name="height"></div>
</div>
<label for="payload">payload (JSON)</label><textarea id="payload" name="payload">__PAYLOAD__</textarea>
<div class="pair">
<div><label for="libraryId">libraryId</label><input id="libraryId" name="libraryId"></div>
<div><label for="libraryEngineModelId">libraryEngineModelId</label>
<input id="libraryEngineModelId" name="libraryEngineModelId"></div>
</div>
<button id="submit" type="submit">Process</button>
</form>
</section>
<section>
<div id="status" class="muted">No request sent yet.</div>
<div id="verdict"></div>
<ul id="problems"></ul>
<div id="error" class="bad"></div>
<div id="task" class="muted"></div>
<pre id="answer"></pre>
<details id="fields-sent"><summary>Fields sent to /process</summary><pre id="fields"></pre></details>
</section>
</main>
<script>
const badge = document.getElementById("ready-badge");
async function checkReady() {
  try {
    const answer = await (await fetch("/api/ready")).json();
    badge.title = answer.detail;
    if (answer.ready) { badge.textContent = "READY"; badge.classList.add("ready"); return; }
  } catch (error) { badge.title = String(error); }
  setTimeout(checkReady, 2000);
}
checkReady();
document.getElementById("chunk").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (file && file.type) { document.getElementById("chunkMimeType").value = file.type; }
});
function show(id, text, cls) {
  const element = document.getElementById(id);
  element.textContent = text || "";
  element.className = cls || "";
}
document.getElementById("process-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  show("status", "Sending...", "muted"); show("verdict", ""); show("error", ""); show("answer", "");
  document.getElementById("problems").replaceChildren();
  let answer;
  try {
    const response = await fetch("/api/process", {method: "POST", body: new FormData(event.target)});
    answer = await response.json();
  } catch (error) { show("error", "The console did not answer: " + error); return; }
  if (answer.outcome === undefined) { show("status", ""); show("error", answer.error); return; }
  const tries = answer.attempts + (answer.attempts === 1 ? " attempt" : " attempts");
  show("status", answer.outcome + " in " + answer.timeMs + " ms, " + tries
       + (answer.statuses.length ? " (" + answer.statuses.join(", ") + ")" : ""), "muted");
  const verdict = answer.validation.verdict;
  const tone = verdict === "valid VTN" ? "ok" : (verdict === "not checked" ? "muted" : "bad");
  show("verdict", "VTN: " + verdict, tone);
  for (const problem of answer.validation.problems) {
    const item = document.createElement("li"); item.textContent = problem;
    document.getElementById("problems").appendChild(item);
  }
  show("error", answer.error ? "Error: " + answer.error : "", "bad");
  show("answer", answer.answer || "");
  show("fields", JSON.stringify(answer.fields, null, 2));
  if (answer.task && answer.outcome === "ACCEPTED") { followTask(answer.task); }
});
// An engine that answers later reports on its webhooks, which the console serves: follow the task.
async function followTask(id) {
  const task = await (await fetch("/api/tasks/" + id)).json();
  const beat = task.lastHeartbeat || {};
  const info = beat.infoMsg ? ", last infoMsg: " + beat.infoMsg : "";
  const failure = task.status === "failed"
    ? " (" + beat.failureReason + ": " + (beat.failureMsg || "no message") + ")" : "";
  show("task", "Task " + task.status + failure + ": " + task.heartbeats + " heartbeats, "
       + task.results.length + " results" + info, task.status === "failed" ? "bad" : "muted");
  if (task.results.length) {
    show("answer", JSON.stringify(task.results.map((result) => result.output), null, 2));
    const bad = task.results.filter((result) => result.validation.problems.length).length;
    const checked = task.results[0].validation.verdict !== "not checked";
    const verdict = !checked ? "not checked" : bad ? "not valid VTN: " + bad + " results with problems"
                                                   : "valid VTN";
    show("verdict", "VTN: " + verdict, !checked ? "muted" : bad ? "bad" : "ok");
  }
  if (!task.settled) { setTimeout(() => followTask(id), 1000); }
}
</script>
</body></html>
"""


def render_page(block: EngineBlock) -> str:
    """The page for this engine (its mode, Process URL and validation mode shown in the header)."""
    return (
        PAGE.replace("__MODE__", escape(block.mode.value))
        .replace("__PROCESS__", escape(str(block.ProcessUrl)))
        .replace("__VALIDATION__", escape(block.Validation.Mode.value))
        .replace("__PAYLOAD__", escape(json.dumps(SAMPLE_PAYLOAD, indent=2)))
    )
