/* The admin dashboard: talks to /v1/admin with the token kept in this
 * page's memory only (a reload asks again): never in sessionStorage or
 * localStorage, where the public pages of the same origin (/, /embed/)
 * could read it. No external assets. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var token = null;
  sessionStorage.removeItem("pledged-admin-token"); /* older versions kept it */
  var current = null, next = null, searching = false;
  /* Shared with /admin/chart.js and /admin/edit.js. */
  var PA = window.PA = { $: $ };

  /* What a refused token means, in staff's words. */
  var REFUSED = "This token was not accepted: it may be mistyped, revoked, or made for " +
    "another server. Ask for a new one (pledged token create NAME) and paste it whole.";

  /* Calls the admin API: the answer's JSON, or an Error carrying the API's
   * message, code, field and status. */
  function api(method, path, body, headers) {
    var h = Object.assign({ Authorization: "Bearer " + token }, headers || {});
    var opts = { method: method, headers: h };
    if (body !== undefined) { h["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      if (r.status === 204) return {};
      return r.json().catch(function () { return {}; }).then(function (data) {
        var e = data.error || {};
        if (r.status === 401) { signOut(REFUSED); throw Object.assign(new Error(REFUSED), { status: 401 }); }
        if (r.status === 429) throw Object.assign(new Error("Too many tries from this address: wait " +
          (r.headers.get("Retry-After") || "a few") + " seconds, then try again."), { status: 429 });
        if (!r.ok) throw Object.assign(new Error(e.message || "The server answered " + r.status + "."),
          { code: e.code, field: e.field, status: r.status });
        return data;
      });
    });
  }
  PA.api = api;

  function money(minor, c) {
    var exp = c.currency_exponent, neg = minor < 0, s = String(Math.abs(minor));
    while (s.length <= exp) s = "0" + s;
    var whole = s.slice(0, s.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = s.slice(s.length - exp);
    return (neg ? "-" : "") + whole + (exp && /[1-9]/.test(cents) ? "." + cents : "") + " " + c.currency_symbol;
  }
  PA.money = money;

  /* A time in the browser's time zone, saying which: "Nov 26, 2026, 01:02:03 UTC". */
  function when(iso) {
    return new Date(iso).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
  }
  PA.when = when;
  PA.say = function (text) { $("app-msg").textContent = text; };

  /* Each cell says its column, for the phone layout (admin.html). */
  function labelCells(table) {
    var heads = [].map.call(table.tHead.rows[0].cells, function (th) { return th.textContent; });
    [].forEach.call(table.tBodies[0].rows, function (tr) {
      [].forEach.call(tr.cells, function (td, i) { td.setAttribute("data-label", heads[i] || ""); });
    });
  }

  function td(text, cls) {
    var e = document.createElement("td");
    if (cls) e.className = cls;
    e.textContent = text;
    return e;
  }

  function signOut(msg) {
    token = null;
    live = null;
    $("app").hidden = true;
    $("signout").hidden = true;
    $("login").hidden = false;
    $("login-msg").textContent = msg || "";
    if (PA.clearTokens) PA.clearTokens(); /* admin-tokens.js: no secret left on screen */
  }

  function loadCampaigns() {
    return api("GET", "/v1/admin/campaigns").then(function (data) {
      $("login").hidden = true;
      $("app").hidden = false;
      $("signout").hidden = false;
      var body = $("campaigns").tBodies[0];
      body.textContent = "";
      data.campaigns.forEach(function (c) {
        var tr = document.createElement("tr");
        tr.appendChild(td(c.title + " (" + c.id + ")"));
        tr.appendChild(td(c.status));
        // Promised, and money received when the campaign takes payments.
        tr.appendChild(td(money(c.raised_minor, c) + " / " + money(c.goal_minor, c) +
          (c.provider ? " · collected " + money(c.collected_minor, c) : ""), "num"));
        var p = td(""), bar = document.createElement("span"), fill = document.createElement("span");
        bar.className = "bar";
        bar.setAttribute("role", "progressbar");
        bar.setAttribute("aria-label", "Raised toward the goal of " + c.title);
        bar.setAttribute("aria-valuemin", "0");
        bar.setAttribute("aria-valuenow", String(c.raised_minor));
        bar.setAttribute("aria-valuemax", String(c.goal_minor));
        fill.style.width = Math.min(100, c.percent) + "%";
        bar.appendChild(fill);
        p.appendChild(bar);
        p.appendChild(document.createTextNode(" " + c.percent + " %"));
        tr.appendChild(p);
        tr.appendChild(td(String(c.supporters), "num"));
        var open = document.createElement("button");
        open.className = "alt";
        open.textContent = "Open";
        open.setAttribute("aria-label", "Open " + c.title);
        open.addEventListener("click", function () { openCampaign(c); });
        var cell = td("");
        cell.appendChild(open);
        tr.appendChild(cell);
        body.appendChild(tr);
        if (current && current.id === c.id) current = c;
      });
      labelCells($("campaigns"));
    });
  }
  PA.loadCampaigns = loadCampaigns;

  function openCampaign(c) {
    current = c;
    next = null;
    searching = false;
    $("search-q").value = "";
    $("pledges-title").textContent = "Latest pledges";
    $("audit-problems").textContent = "";
    $("detail").hidden = false;
    $("detail-title").textContent = c.title;
    $("audit-result").textContent = "";
    $("detail-msg").textContent = "";
    $("pledges").tBodies[0].textContent = "";
    var ex = $("exports");
    ex.textContent = "Exports: ";
    ["ledger.csv", "ledger.jsonl", "sources.csv"].forEach(function (name, i) {
      var a = document.createElement("a");
      a.href = "/v1/admin/campaigns/" + c.id + (name === "sources.csv" ? "/sources?format=csv" : "/" + name);
      a.textContent = name;
      a.addEventListener("click", function (e) { e.preventDefault(); download(a.href, c.id + "-" + name); });
      if (i) ex.appendChild(document.createTextNode(" · "));
      ex.appendChild(a);
    });
    loadPledges();
    loadSeries();
    PA.loadSources(c);
  }

  /* The chart: the whole campaign, from the series endpoint. */
  function loadSeries() {
    if (!current) return Promise.resolve();
    var c = current;
    return api("GET", "/v1/admin/campaigns/" + c.id + "/series?bucket=" + $("bucket").value).then(function (s) {
      if (current === c || (current && current.id === c.id)) PA.drawSeries($("chart"), s, current);
    }).catch(function (e) { $("detail-msg").textContent = "Chart: " + e.message; });
  }
  $("bucket").addEventListener("change", loadSeries);
  $("edit-campaign").addEventListener("click", function () { PA.editCampaign(current); });

  /* Live updates from the event stream (docs/EVENTS.md), read with fetch
   * because EventSource cannot send the Authorization header. Each
   * response ends after a batch (or a wait on the server); the next one
   * resumes from the last event id, so nothing is missed in between. */
  var live = null, refreshing = null;
  function follow(after) {
    var mine = live = {};
    fetch("/v1/admin/events/stream", {
      headers: { Authorization: "Bearer " + token, "Last-Event-ID": String(after) },
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (text) {
      if (live !== mine) return;
      var changed = false;
      text.split("\n\n").forEach(function (block) {
        var id = /^id: (\d+)$/m.exec(block);
        if (id) { after = Number(id[1]); changed = true; }
      });
      $("live").textContent = "● live";
      if (changed) refreshSoon();
      follow(after);
    }).catch(function () {
      if (live !== mine) return;
      $("live").textContent = "○ reconnecting…";
      setTimeout(function () { if (live === mine) follow(after); }, 2000);
    });
  }
  /* At most one refresh in flight, so a busy campaign cannot flood us. */
  function refreshSoon() {
    if (refreshing) { refreshing.again = true; return; }
    refreshing = {};
    var done = function () {
      var again = refreshing.again;
      refreshing = null;
      if (again) refreshSoon();
    };
    loadCampaigns().then(loadWebhooks).then(function () {
      if (!current) return;
      loadSeries();
      PA.loadSources(current);
      if (searching) return search();
      next = null;
      $("pledges").tBodies[0].textContent = "";
      return loadPledges();
    }).then(done, done);
  }
  function startLive() {
    api("GET", "/v1/admin/events?limit=1&after=0").then(function (d) {
      follow(d.head);
    }).catch(function () { $("live").textContent = "○ offline"; });
  }

  /* An Idempotency-Key (crypto.randomUUID needs a secure context). */
  PA.newKey = newKey;
  function newKey() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  /* Webhooks (docs/WEBHOOKS.md): endpoints with their state; a disabled
   * one is an alert at the top until it is replayed or deleted. */
  function loadWebhooks() {
    return api("GET", "/v1/admin/webhooks").then(function (data) {
      var body = $("webhooks").tBodies[0], alerts = [];
      body.textContent = "";
      data.webhooks.forEach(function (w) {
        var tr = document.createElement("tr");
        tr.appendChild(td(w.url, "wrap"));
        tr.appendChild(td(w.types.length ? w.types.join(", ") : "all"));
        tr.appendChild(td(w.state + (w.attempts ? " (" + w.attempts + " tries)" : ""),
                          w.state === "active" ? "ok" : "err"));
        tr.appendChild(td(String(Math.max(0, data.head - w.cursor)), "num"));
        tr.appendChild(td(w.disabled_reason || w.last_error || ""));
        var cell = td("");
        var replay = document.createElement("button");
        replay.className = "alt";
        replay.textContent = "Replay from…";
        replay.setAttribute("aria-label", "Replay " + w.url + " from an event");
        replay.addEventListener("click", function () {
          var from = prompt("Deliver again from event number:", String(w.cursor + 1));
          if (!from) return;
          api("POST", "/v1/admin/webhooks/" + w.id + "/replay", { from: Number(from) })
            .then(function () { $("webhook-msg").textContent = "Replaying from event " + from + "."; return loadWebhooks(); })
            .catch(function (e) { $("webhook-msg").textContent = e.message; });
        });
        var del = document.createElement("button");
        del.className = "danger";
        del.textContent = "Delete";
        del.setAttribute("aria-label", "Delete webhook " + w.url);
        del.addEventListener("click", function () {
          if (!confirm("Delete the webhook to " + w.url + "?")) return;
          api("DELETE", "/v1/admin/webhooks/" + w.id).then(loadWebhooks)
            .catch(function (e) { $("webhook-msg").textContent = e.message; });
        });
        cell.appendChild(replay);
        cell.appendChild(del);
        tr.appendChild(cell);
        body.appendChild(tr);
        if (w.state === "disabled")
          alerts.push("Webhook to " + w.url + " is disabled: " + w.disabled_reason +
                      ". Fix the receiver, then replay it.");
      });
      $("alerts").textContent = alerts.join(" ");
    }).catch(function (e) { $("webhook-msg").textContent = e.message; });
  }
  $("webhook-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var types = $("webhook-types").value.split(",").map(function (t) { return t.trim(); })
      .filter(function (t) { return t && t !== "all"; });
    api("POST", "/v1/admin/webhooks", {
      url: $("webhook-url").value.trim(), types: types,
      ed25519: $("webhook-ed25519").checked, personal: $("webhook-personal").checked,
    }, { "Idempotency-Key": newKey() }).then(function (d) {
      $("webhook-msg").className = "ok";
      $("webhook-msg").textContent = "Added. Its signing secret, shown only now: " + d.secret;
      $("webhook-url").value = "";
      return loadWebhooks();
    }).catch(function (err) {
      $("webhook-msg").className = "err";
      $("webhook-msg").textContent = err.message;
    });
  });

  /* Exports need the token header, so they are fetched, then saved. */
  function download(url, name) {
    fetch(url, { headers: { Authorization: "Bearer " + token } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.blob();
    }).then(function (b) {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(b);
      a.download = name;
      a.click();
    }).catch(function (e) { $("detail-msg").textContent = "Export failed: " + e.message; });
  }

  function pledgeRow(p) {
    var tr = document.createElement("tr");
    var w = td(""), t = document.createElement("time");
    t.dateTime = p.created_at;
    t.textContent = when(p.created_at);
    w.appendChild(t);
    tr.appendChild(w);
    tr.appendChild(td(money(p.amount_minor, current), "num"));
    tr.appendChild(td(p.kind));
    tr.appendChild(td((p.donor_name || "—") + (p.anonymous ? " (anonymous)" : "")));
    tr.appendChild(td(p.donor_email || "", "wrap"));
    tr.appendChild(td(p.payment_status || "pledged"));
    var cell = td("");
    if (p.refunded) {
      cell.textContent = "refunded";
    } else {
      var b = document.createElement("button");
      b.className = "danger";
      b.textContent = "Refund";
      b.setAttribute("aria-label", "Refund " + money(p.amount_minor, current) + " from " + (p.donor_name || "an unnamed donor"));
      b.addEventListener("click", function () { refund(p, b); });
      cell.appendChild(b);
    }
    if (current.supporters_list && current.supporters_list !== "off") moderation(cell, p);
    tr.appendChild(cell);
    return tr;
  }

  /* Staff's word on a pledge in the widget's recent supporters. */
  function moderation(cell, p) {
    var state = document.createElement("span");
    state.className = "muted moderation";
    state.textContent = p.moderation ? " " + p.moderation : current.supporters_list === "moderated" ? " awaiting approval" : "";
    [["approved", "Approve", "Show " + (p.donor_name || "this pledge") + " in the recent supporters"],
     ["hidden", "Hide name", "Hide the name of " + (p.donor_name || "this pledge") + " from the recent supporters"]]
      .forEach(function (o) {
        if (p.moderation === o[0]) return;
        var b = document.createElement("button");
        b.className = "alt mod-" + o[0];
        b.textContent = o[1];
        b.setAttribute("aria-label", o[2]);
        b.addEventListener("click", function () {
          api("POST", "/v1/admin/pledges/" + p.id + "/moderation", { state: o[0] }).then(function () {
            p.moderation = o[0];
            var tr = cell.parentNode;
            tr.parentNode.replaceChild(pledgeRow(p), tr);
            labelCells($("pledges"));
          }).catch(function (e) { $("detail-msg").className = "err"; $("detail-msg").textContent = e.message; });
        });
        cell.appendChild(document.createTextNode(" "));
        cell.appendChild(b);
      });
    cell.appendChild(state);
  }

  function loadPledges() {
    var q = "?limit=50" + (next ? "&after=" + next : "");
    return api("GET", "/v1/admin/campaigns/" + current.id + "/pledges" + q).then(function (data) {
      var body = $("pledges").tBodies[0];
      data.pledges.forEach(function (p) { body.appendChild(pledgeRow(p)); });
      labelCells($("pledges"));
      next = data.next;
      $("more").hidden = !next;
    }).catch(function (e) { $("detail-msg").textContent = e.message; });
  }

  /* Finding a gift by name, email, amount or id (docs/ADMIN.md). */
  function search() {
    var q = $("search-q").value.trim();
    if (!q) return Promise.resolve();
    searching = true;
    return api("GET", "/v1/admin/campaigns/" + current.id + "/pledges/search?q=" + encodeURIComponent(q))
      .then(function (data) {
        var body = $("pledges").tBodies[0];
        body.textContent = "";
        data.pledges.forEach(function (p) { body.appendChild(pledgeRow(p)); });
        labelCells($("pledges"));
        $("more").hidden = true;
        $("pledges-title").textContent = data.pledges.length + " pledge" + (data.pledges.length === 1 ? "" : "s") +
          " matching “" + q + "”";
      }).catch(function (e) { $("detail-msg").className = "err"; $("detail-msg").textContent = e.message; });
  }
  $("search-form").addEventListener("submit", function (e) { e.preventDefault(); search(); });
  $("search-clear").addEventListener("click", function () {
    searching = false;
    next = null;
    $("search-q").value = "";
    $("pledges-title").textContent = "Latest pledges";
    $("pledges").tBodies[0].textContent = "";
    loadPledges();
  });

  function refund(p, button) {
    if (!confirm("Refund " + money(p.amount_minor, current) + " to " + (p.donor_name || "this donor") + "? This cannot be undone."))
      return;
    button.disabled = true;
    var key = button.dataset.key || (button.dataset.key = crypto.randomUUID());
    api("POST", "/v1/admin/pledges/" + p.id + "/refund", undefined, { "Idempotency-Key": key })
      .then(function (data) {
        button.parentNode.textContent = "refunded";
        $("detail-msg").className = "ok";
        $("detail-msg").textContent = "Refunded: " + money(-data.refund.amount_minor, current) + ", receipt signed by " + data.receipt.receipt.kid + ".";
        loadSeries();
        return loadCampaigns();
      })
      .catch(function (e) { button.disabled = false; $("detail-msg").className = "err"; $("detail-msg").textContent = e.message; });
  }

  $("audit").addEventListener("click", function () {
    $("audit-result").textContent = "Auditing…";
    $("audit-problems").textContent = "";
    api("GET", "/v1/admin/campaigns/" + current.id + "/audit").then(function (a) {
      /* Pass or fail, then every problem on a line of its own. */
      var badge = document.createElement("span");
      badge.className = a.ok ? "pass" : "fail";
      badge.textContent = a.ok ? "PASS" : "FAIL";
      $("audit-result").className = a.ok ? "ok" : "err";
      $("audit-result").textContent = "";
      $("audit-result").appendChild(badge);
      $("audit-result").appendChild(document.createTextNode(a.ok
        ? " ✓ chain verifies: " + a.entries + " entries, " + money(a.raised_minor, current) + ", " + a.receipts + " signatures checked"
        : " ✗ " + a.problem_count + " problem" + (a.problem_count === 1 ? "" : "s") + " found:"));
      (a.problems || []).forEach(function (p) {
        var li = document.createElement("li");
        li.textContent = p;
        $("audit-problems").appendChild(li);
      });
    }).catch(function (e) { $("audit-result").textContent = e.message; });
  });
  $("more").addEventListener("click", loadPledges);
  $("signout").addEventListener("click", function () { signOut(""); });
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    token = $("token").value.trim();
    $("token").value = "";
    loadCampaigns().then(loadWebhooks).then(function () { return PA.loadTokens && PA.loadTokens(); })
      .then(startLive).catch(function (err) {
      $("login-msg").textContent = err.status === 401 ? REFUSED : err.message;
    });
  });
})();
