/* The dashboard's chart (served at /admin/chart.js, after /admin.js):
 * raised and collected over the whole campaign, from GET
 * /v1/admin/campaigns/{id}/series (docs/ADMIN.md), drawn as SVG steps:
 * each bucket's running total from its start. No framework. */
(function () {
  "use strict";
  var PA = window.PA;
  var NS = "http://www.w3.org/2000/svg";

  function node(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  /* Draws series s of campaign c into svg; returns a one-line summary
   * (the chart's accessible name). */
  PA.drawSeries = function (svg, s, c) {
    svg.textContent = "";
    var W = 600, H = 220, L = 70, R = 12, T = 24, B = 34;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("data-raised-minor", String(s.raised_minor));
    svg.setAttribute("data-collected-minor", String(s.collected_minor));
    var step = s.bucket === "hour" ? 3600e3 : 86400e3;
    var b = s.buckets;
    if (!b.length) {
      svg.appendChild(node("text", { x: L, y: H / 2, "font-size": 13 }, "No pledges yet."));
      return "No pledges yet.";
    }
    var t0 = Date.parse(b[0].start), t1 = Date.parse(b[b.length - 1].start) + step;
    /* The scale: everything ever pledged, so that a refund shows as a
     * drop below it. */
    var max = 1, gross = 0;
    b.forEach(function (p) {
      gross += p.pledged_minor;
      max = Math.max(max, gross, p.collected_total_minor);
    });
    var x = function (t) { return L + (W - L - R) * (t - t0) / (t1 - t0); };
    var y = function (v) { return H - B - (H - T - B) * Math.max(0, v) / max; };
    function steps(key) {
      var d = "M" + x(t0).toFixed(1) + " " + y(0).toFixed(1), prev = 0;
      b.forEach(function (p) {
        var px = x(Date.parse(p.start)).toFixed(1);
        d += " H" + px + " V" + y(prev = p[key]).toFixed(1);
      });
      return d + " H" + x(t1).toFixed(1) + " V" + y(prev).toFixed(1);
    }
    svg.appendChild(node("path", { class: "axis", d: "M" + L + " " + T + " V" + (H - B) + " H" + (W - R),
      stroke: "#6b7484", fill: "none" }));
    svg.appendChild(node("path", { class: "raised", d: steps("raised_total_minor"),
      stroke: "#1a7a43", "stroke-width": 2, fill: "none" }));
    if (c.provider || s.collected_minor)
      svg.appendChild(node("path", { class: "collected", d: steps("collected_total_minor"),
        stroke: "#1d4f91", "stroke-width": 2, "stroke-dasharray": "5 3", fill: "none" }));
    var small = { "font-size": 11, fill: "#3d4452" };
    svg.appendChild(node("text", Object.assign({ x: L - 6, y: y(max) + 4, "text-anchor": "end" }, small), PA.money(max, c)));
    svg.appendChild(node("text", Object.assign({ x: L - 6, y: y(0) + 4, "text-anchor": "end" }, small), PA.money(0, c)));
    /* The buckets are UTC days or hours: so are the labels. */
    var day = function (t) {
      var o = { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" };
      if (s.bucket === "hour") { o.hour = "2-digit"; o.minute = "2-digit"; }
      return new Date(t).toLocaleString(undefined, o) + " UTC";
    };
    svg.appendChild(node("text", Object.assign({ x: L, y: H - 12 }, small), day(t0)));
    svg.appendChild(node("text", Object.assign({ x: W - R, y: H - 12, "text-anchor": "end" }, small), day(t1)));
    var legend = "Raised " + PA.money(s.raised_minor, c) +
      (c.provider || s.collected_minor ? " · collected " + PA.money(s.collected_minor, c) + " (dashed)" : "");
    svg.appendChild(node("text", { x: L, y: 14, "font-size": 12, fill: "#1d2430" }, legend));
    var summary = legend + ", from " + day(t0) + " to " + day(t1) + ", per " + s.bucket + ".";
    svg.setAttribute("aria-label", summary);
    return summary;
  };
})();
