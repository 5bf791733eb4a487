// The HTML report's page script (runs in the browser; no network). It reads the report model
// that the CLI embedded as JSON (src/report/html/report-model.ts) and draws it with uPlot,
// which the CLI embedded too. Charts record how many points they drew in data-points, which
// the browser test checks along with the canvas pixels.
(function () {
  "use strict";
  var model = JSON.parse(document.getElementById("report-data").textContent);
  var root = document.getElementById("report");
  var WIDTH = Math.min(1100, Math.max(520, window.innerWidth - 80));

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v, digits) {
    return v === null || v === undefined ? "-" : Number(v).toFixed(digits);
  }
  function percentileLabel(x) {
    var p = 100 * (1 - 1 / x);
    if (p <= 0) return "0%";
    var digits = Math.max(0, Math.ceil(Math.log10(x)) - 2);
    return p.toFixed(Math.min(5, digits)) + "%";
  }

  // Runs and summaries.
  var runs = el("ul", { class: "runs" });
  model.runs.forEach(function (r) {
    var li = el("li");
    li.appendChild(el("span", { class: "swatch", style: "background:" + r.color }));
    li.appendChild(document.createTextNode(r.label + " (" + r.kind + ", started " + r.startedAt + "): " + r.path));
    runs.appendChild(li);
  });
  root.appendChild(runs);

  model.summaries.forEach(function (s) {
    root.appendChild(el("h3", {}, s.test));
    var table = el("table", { class: "summary" });
    var head = el("tr");
    ["run", "throughput (req/s)", "p50 (ms)", "p99 (ms)", "p99.9 (ms)", "errors", "recall"].forEach(function (h) {
      head.appendChild(el("th", {}, h));
    });
    table.appendChild(head);
    s.rows.forEach(function (r) {
      var tr = el("tr");
      [r.run, fmt(r.throughput, 2), fmt(r.p50, 3), fmt(r.p99, 3), fmt(r.p999, 3), String(r.errors), fmt(r.recall, 4)].forEach(function (c) {
        tr.appendChild(el("td", {}, c));
      });
      table.appendChild(tr);
    });
    root.appendChild(table);
  });

  // Charts.
  function drawChart(parent, c) {
    var box = el("div", { class: "chart", id: c.id });
    box.appendChild(el("h4", {}, c.title));
    if (c.note) box.appendChild(el("p", { class: c.note.indexOf("IMBALANCED") >= 0 ? "note warn" : "note" }, c.note));
    parent.appendChild(box);
    var points = 0;
    for (var s = 1; s < c.data.length; s++) for (var i = 0; i < c.data[s].length; i++) if (c.data[s][i] !== null) points++;
    if (points === 0) {
      // Nothing to draw: say why rather than show empty axes.
      box.appendChild(el("p", { class: "note empty" }, "Nothing to draw: " + (c.empty || "no data points")));
      box.setAttribute("data-points", "0");
      return;
    }
    var bars = c.kind === "bars" && c.series.filter(function (x) { return !x.dash; }).length === 1;
    var series = [{ label: c.x.label }];
    c.series.forEach(function (sp, i) {
      var opt = { label: sp.label, stroke: sp.color, width: 2, spanGaps: true };
      if (sp.dash) opt.dash = [6, 4];
      if (bars && !sp.dash) {
        // One bar series per chart (several runs' quantiles are drawn as lines instead).
        opt.fill = sp.color + "cc";
        opt.paths = uPlot.paths.bars({ size: [0.6, 80] });
        opt.points = { show: false };
      } else if (sp.points) {
        opt.paths = function () { return null; };
        opt.points = { show: true, size: 7, fill: sp.color };
      } else {
        opt.points = { show: c.data[0].length < 60 };
      }
      series.push(opt);
    });
    var xAxis = { label: c.x.label };
    var scales = { x: { time: false }, y: {} };
    if (c.x.log) scales.x.distr = 3;
    if (c.y.log) scales.y.distr = 3;
    if (c.x.percentile) {
      // One tick per decade: 0%, 90%, 99%, 99.9%...
      xAxis.splits = function (u) {
        var out = [];
        for (var v = 1; v <= u.scales.x.max * 1.0001; v *= 10) out.push(v);
        return out;
      };
      xAxis.values = function (u, splits) { return splits.map(percentileLabel); };
      xAxis.space = 30;
    }
    if (c.x.names) {
      scales.x.range = function () { return [-0.6, c.x.names.length - 0.4]; };
      xAxis.splits = function () { return c.x.names.map(function (_, i) { return i; }); };
      xAxis.values = function (u, splits) { return splits.map(function (i) { return c.x.names[i] || ""; }); };
    }
    if (bars) scales.y.range = function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; };
    var opts = {
      width: WIDTH,
      height: 280,
      scales: scales,
      series: series,
      axes: [xAxis, { label: c.y.label, size: 90 }],
      legend: { show: true },
      cursor: { points: { show: !bars } },
    };
    new uPlot(opts, c.data, box);
    box.setAttribute("data-points", String(points));
  }

  model.sections.forEach(function (section) {
    var sec = el("section");
    sec.appendChild(el("h2", {}, section.title));
    section.charts.forEach(function (c) {
      drawChart(sec, c);
    });
    root.appendChild(sec);
  });

  // Configuration side by side.
  var cfg = el("section");
  cfg.appendChild(el("h2", {}, "Configuration" + (model.config.labels.length > 1 ? " (differences highlighted)" : "")));
  var only = el("label", {});
  var box = el("input", { type: "checkbox", id: "only-diff" });
  only.appendChild(box);
  only.appendChild(document.createTextNode(" differences only"));
  if (model.config.labels.length > 1) cfg.appendChild(only);
  var table = el("table", { class: "config" });
  var head = el("tr");
  head.appendChild(el("th", {}, "setting"));
  model.config.labels.forEach(function (l) {
    head.appendChild(el("th", {}, l));
  });
  table.appendChild(head);
  model.config.rows.forEach(function (r) {
    var tr = el("tr", r.differs ? { class: "differs" } : {});
    tr.appendChild(el("td", {}, r.path));
    r.values.forEach(function (v) {
      tr.appendChild(el("td", {}, v));
    });
    table.appendChild(tr);
  });
  box.addEventListener("change", function () {
    table.className = box.checked ? "config only-diff" : "config";
  });
  cfg.appendChild(table);
  root.appendChild(cfg);
  document.body.setAttribute("data-charts", String(document.querySelectorAll(".chart").length));
})();
