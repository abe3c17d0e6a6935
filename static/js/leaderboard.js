// The board's period and team form: folded on phones so the ranking comes first, open elsewhere.
(function () {
  "use strict";
  function unfoldOnWideScreens() {
    var fold = document.querySelector(".board-filters-fold");
    if (fold && window.matchMedia("(min-width: 40.01rem)").matches) fold.open = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", unfoldOnWideScreens); else unfoldOnWideScreens();
})();

// The analysis page's scatter plot: tenure bands differ by point shape, not only by colour.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("sharing-chart");
    var data = document.getElementById("sharing-points");
    if (!canvas || !data || typeof Chart === "undefined") return;
    var points = JSON.parse(data.textContent);
    var bands = [
      { label: "Under 1 year", shape: "circle", colour: "#1f5fbf" },
      { label: "1 to 3 years", shape: "triangle", colour: "#0d7a5f" },
      { label: "3 years or more", shape: "rect", colour: "#8a5300" },
      { label: "Tenure unknown", shape: "crossRot", colour: "#566074" }
    ];
    var money = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 0 });
    var datasets = bands.map(function (band) {
      return {
        label: band.label,
        data: points.filter(function (p) { return p.band === band.label; })
                    .map(function (p) { return { x: p.score, y: p.revenue, name: p.name }; }),
        pointStyle: band.shape, pointRadius: 6, pointHoverRadius: 8, borderWidth: 2,
        borderColor: band.colour, backgroundColor: band.colour + "55"
      };
    }).filter(function (set) { return set.data.length; });
    new Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        maintainAspectRatio: false, animation: false,
        scales: {
          x: { title: { display: true, text: "Sharing score (points)" }, beginAtZero: true },
          y: { title: { display: true, text: "Closed-won revenue" }, beginAtZero: true,
               ticks: { callback: function (value) { return money.format(value); } } }
        },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: function (item) {
            return item.raw.name + ": " + item.raw.x + " points, " + money.format(item.raw.y);
          } } }
        }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
