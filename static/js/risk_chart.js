/* A risk signal's chart (ECharts from static/vendor): the enterprise's monthly power use, last
   year's same months (dashed) and its loan balance (right axis), from the JSON in #risk-chart-data:
   {categories: [...], series: [{name, data, dashed?, axis?}]} */
(function () {
  "use strict";
  function init() {
    var node = document.getElementById("risk-chart-data");
    var el = document.querySelector("[data-risk-chart]");
    if (!node || !el || !window.echarts) { return; }
    var spec;
    try { spec = JSON.parse(node.textContent); } catch (e) { return; }
    var chart = window.echarts.init(el);
    chart.setOption({
      color: ["#2f6fdf", "#9aa5b1", "#c9482b"],
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 60, right: 60, top: 30, bottom: 50 },
      xAxis: { type: "category", data: spec.categories },
      yAxis: [{ type: "value", name: "千瓦时" }, { type: "value", name: "万元", splitLine: { show: false } }],
      series: spec.series.map(function (s) {
        var out = { name: s.name, type: s.axis ? "bar" : "line", data: s.data, yAxisIndex: s.axis || 0, connectNulls: false };
        if (s.dashed) { out.lineStyle = { type: "dashed" }; }
        if (s.axis) { out.barMaxWidth = 18; out.itemStyle = { opacity: 0.5 }; }
        return out;
      })
    });
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
