/* Dashboard charts (ECharts from static/vendor, no CDN). Each element with data-chart="name"
   gets the chart spec of that name from the JSON in #dash-charts:
   {type: bar|line|stack|pie, categories: [...], yName: "%", series: [{name, data, type?, dashed?, step?}]} */
(function () {
  "use strict";
  var PALETTE = ["#2f6fdf", "#f0a030", "#2ca58d", "#c9482b", "#7e57c2", "#5b8ff9", "#91cc75", "#fac858"];

  function readSpecs() {
    var node = document.getElementById("dash-charts");
    if (!node) { return {}; }
    try { return JSON.parse(node.textContent) || {}; } catch (e) { return {}; }
  }

  function axisSeries(spec) {
    return spec.series.map(function (s, i) {
      var type = s.type || (spec.type === "stack" ? "bar" : spec.type);
      var out = { name: s.name, type: type, data: s.data, connectNulls: false };
      if (spec.type === "stack") { out.stack = "total"; out.barMaxWidth = 28; }
      if (type === "bar") { out.barMaxWidth = out.barMaxWidth || 26; }
      if (type === "line") { out.symbolSize = 6; out.smooth = false; }
      if (s.step) { out.step = "middle"; out.symbol = "none"; out.lineStyle = { type: "dashed", width: 2 }; out.color = "#c9482b"; }
      if (s.dashed) { out.lineStyle = { type: "dashed" }; }
      if (s.color) { out.itemStyle = { color: s.color }; out.color = s.color; }
      return out;
    });
  }

  function option(spec) {
    if (spec.type === "pie") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item", formatter: "{b}：{c}户（{d}%）" },
        legend: { bottom: 0 },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"], data: s.data,
                   label: { formatter: "{b}\n{c}户" } };
        })
      };
    }
    var many = (spec.categories || []).length > 8;
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (spec.yName === "%" ? "%" : ""); } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: many ? 48 : 28, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: many ? 30 : 0 } },
      yAxis: { type: "value", name: spec.yName || "", scale: spec.type === "line" },
      series: axisSeries(spec)
    };
  }

  function render() {
    if (typeof echarts === "undefined") { return; }
    var specs = readSpecs();
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-chart")];
      if (!spec || !spec.series) { return; }
      var empty = spec.type === "pie"
        ? spec.series.every(function (s) { return s.data.every(function (d) { return !d.value; }); })
        : !(spec.categories || []).length;
      if (empty) {
        el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-muted");
        el.textContent = "暂无数据";
        return;
      }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      el.setAttribute("data-rendered", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
}());
