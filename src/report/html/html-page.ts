/**
 * The HTML report as one self-contained file: uPlot (from npm, embedded at build time), its
 * stylesheet, the report model as JSON and the page script, all inline. Opening it needs no
 * network and no server.
 */
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import pageScript from "./page-script.js" with { type: "text" };
import type { ReportModel } from "./report-model.ts";

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px 40px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; } h3 { font-size: 15px; margin-bottom: 4px; }
h4 { font-size: 14px; margin: 18px 0 4px; }
table { border-collapse: collapse; margin: 6px 0 12px; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f4f4f4; }
table.config td { text-align: left; font-family: ui-monospace, monospace; font-size: 12px; max-width: 360px; overflow-wrap: anywhere; }
tr.differs td { background: #fff3b0; } table.only-diff tr:not(.differs):not(:first-child) { display: none; }
.runs { list-style: none; padding: 0; } .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
.note { margin: 2px 0; color: #555; } .note.warn { color: #b00; font-weight: 600; }
.chart { margin-bottom: 10px; }
`;

/** JSON inside a script element: `<` only occurs in strings, where \u003c means the same. */
function jsonInScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** Code inside a script element must not contain `</script` (it would end the element). */
function scriptSafe(code: string): string {
  if (/<\/script|<!--/i.test(code)) throw new Error("embedded script contains </script or <!--");
  return code;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

export function renderHtmlReport(model: ReportModel, title = "valkey-search-benchmark report"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="valkey-search-benchmark">
<title>${escapeHtml(title)}</title>
<style>${uplotCss}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Generated ${escapeHtml(model.generatedAt)}. Latencies from HdrHistograms; throughput counts successful replies per second.</p>
<div id="report"></div>
<script type="application/json" id="report-data">${jsonInScript(model)}</script>
<script>${scriptSafe(uplotJs)}</script>
<script>${scriptSafe(pageScript)}</script>
</body>
</html>
`;
}
