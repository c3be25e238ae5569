/* The dashboard's "Where gifts came from" (served at /admin/sources.js,
 * after /admin.js): a campaign's gifts per article and source, from GET
 * /v1/admin/campaigns/{id}/sources (docs/ADMIN.md), and its CSV. */
(function () {
  "use strict";
  var PA = window.PA, $ = PA.$;

  function cell(tr, text, label, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    td.setAttribute("data-label", label);
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  PA.loadSources = function (c) {
    return PA.api("GET", "/v1/admin/campaigns/" + c.id + "/sources").then(function (d) {
      var body = $("sources").tBodies[0];
      body.textContent = "";
      d.sources.forEach(function (s) {
        var tr = document.createElement("tr");
        cell(tr, s.page || "(no page named)", "Page", "wrap");
        cell(tr, [s.utm_source, s.utm_medium, s.utm_campaign].filter(Boolean).join(" / ") || "—", "Source");
        cell(tr, String(s.gifts), "Gifts", "num");
        cell(tr, PA.money(s.raised_minor, c), "Raised", "num");
        body.appendChild(tr);
      });
    }).catch(function (e) { $("detail-msg").textContent = "Sources: " + e.message; });
  };
})();
