// Draws every <div data-chart="ID"> with ECharts from the JSON in <script id="ID"> (Chart.as_data):
// a line or bar chart with a legend and tooltips; money (unit "fen", sent in yuan) shows as ¥ with
// two decimals, percentages with %. Redrawn to the box's size on a phone or a laptop.
(function () {
  "use strict";

  var COLOURS = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"];

  function shown(unit, value) {
    if (value === null || value === undefined || value === "-") return "—";
    if (unit === "fen") return "¥" + Number(value).toFixed(2);
    if (unit === "percent") return Number(value).toFixed(1) + "%";
    return String(value);
  }

  function axisLabel(unit) {
    return function (value) {
      if (unit === "fen") return "¥" + value;
      if (unit === "percent") return value + "%";
      return String(value);
    };
  }

  function option(data) {
    var units = [];
    data.series.forEach(function (series) {
      if (units.indexOf(series.unit) < 0 && units.length < 2) units.push(series.unit);
    });
    if (!units.length) units.push("count");
    return {
      color: COLOURS,
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: data.categories,
        boundaryGap: data.kind === "bar",
      },
      yAxis: units.map(function (unit) {
        return {
          type: "value",
          max: unit === "percent" ? 100 : null,
          minInterval: unit === "count" ? 1 : 0,
          axisLabel: { formatter: axisLabel(unit) },
        };
      }),
      series: data.series.map(function (series) {
        var axis = Math.max(units.indexOf(series.unit), 0);
        return {
          name: series.name,
          type: data.kind === "bar" ? "bar" : "line",
          data: series.values,
          yAxisIndex: axis,
          connectNulls: false,
          tooltip: {
            valueFormatter: function (value) {
              return shown(series.unit, value);
            },
          },
        };
      }),
    };
  }

  function draw(box) {
    var source = document.getElementById(box.dataset.chart);
    if (!source || !window.echarts) return;
    var chart = window.echarts.init(box);
    chart.setOption(option(JSON.parse(source.textContent)));
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        chart.resize();
      }).observe(box);
    } else {
      window.addEventListener("resize", function () {
        chart.resize();
      });
    }
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
