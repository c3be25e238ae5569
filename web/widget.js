/* pledged donate widget (the main part of /widget.js: scripts/bundle joins
 * i18n.js, money.js, pay.js, receipt.js and this file in one scope).
 * Embed with one line:
 *   <script src="https://HOST/widget.js" data-campaign="help-us" async></script>
 * Options on the tag: data-locale ("fr-FR", or "auto" for the page's lang;
 * none: English and the reference form "2,500 $"), and the theme:
 * data-accent, data-text, data-background, data-font, data-radius (or the
 * same as CSS custom properties --pledged-accent, ... on .pledged-widget).
 * Renders into a Shadow DOM, so the host page's CSS cannot reach it. Talks
 * only to the server it was loaded from; sets no cookie; loads nothing
 * else, except Stripe.js from the campaign's `card.js` when the reader is
 * about to pay by card. */
var me = document.currentScript;
if (!me) return;
var api = new URL(me.src, location.href).origin;
var id = me.getAttribute("data-campaign") || "help-us";
var locale = askedLocale(me), words = makeWords(locale, null), t = words.t;

var host = document.createElement("div");
host.className = "pledged-widget";
me.parentNode.insertBefore(host, me);
var root = host.attachShadow({ mode: "open" });

/* The publisher's theme from the tag's data- attributes, each checked by
 * the browser's own CSS parser. */
[["accent", "color"], ["text", "color"], ["background", "color"],
 ["font", "font-family"], ["radius", "border-radius"]].forEach(function (o) {
  var v = me.getAttribute("data-" + o[0]);
  if (v && CSS.supports(o[1], v)) host.style.setProperty("--pledged-" + o[0], v);
  else if (v) console.error("pledged widget: data-" + o[0] + "=" + JSON.stringify(v) + " is not a " + o[1]);
});

var A = "var(--pledged-accent,#1a7a43)", R = "var(--pledged-radius,10px)";
var css =
  ":host{all:initial;display:block;font:16px/1.4 var(--pledged-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);color:var(--pledged-text,#1d2430);max-width:640px}" +
  ".box{border:1px solid #d6dae1;border-radius:" + R + ";padding:16px;background:var(--pledged-background,#fff)}" +
  "h2{font-size:1.1em;margin:0 0 12px}h3{font-size:1em;margin:0 0 6px}" +
  ".track{position:relative;height:14px;background:#e9edf2;border-radius:7px;margin:8px 0 4px}" +
  ".fill{height:100%;background:" + A + ";border-radius:7px;transition:width .4s}" +
  ".marks{position:relative;height:1.4em;font-size:.85em;color:#4a5466;overflow:hidden}" +
  ".mark{position:absolute;transform:translateX(-50%);white-space:nowrap}" +
  ".mark.first{transform:none}.mark.last{transform:translateX(-100%)}" +
  "[dir=rtl] .mark.first{transform:translateX(-100%)}[dir=rtl] .mark.last{transform:none}" +
  ".raised{font-weight:600;margin:6px 0 12px}" +
  ".tiers{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:12px}" +
  "button{font:inherit;padding:8px 14px;border-radius:calc(" + R + " * .6);border:1px solid " + A + ";background:" + A + ";color:#fff;cursor:pointer}" +
  "button.alt{background:#fff;color:" + A + "}" +
  "button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #f0b400;outline-offset:2px}" +
  "button[disabled]{opacity:.75;cursor:wait}" +
  "form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}" +
  "label{display:flex;flex-direction:column;font-size:.9em}" +
  "input{font:inherit;padding:7px 8px;border:1px solid #7b8494;border-radius:calc(" + R + " * .6);width:9em;max-width:100%}" +
  ".msg{min-height:1.4em;margin-top:10px}.err{color:#b00020}.ok{color:#1f6b3c}" +
  ".thanks{border-top:1px solid #e3e7ee;margin-top:10px;padding-top:10px}" +
  ".supporters ul{margin:0 0 10px;padding:0 0 0 1.2em;columns:2}.supporters .anon{color:#4a5466}" +
  "dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0 0 8px}dt{color:#4a5466}dd{margin:0;overflow-wrap:anywhere}" +
  "a{color:" + A + "}.pay{border-top:1px solid #e3e7ee;margin-top:10px;padding-top:10px}" +
  ".verify-box{margin-top:8px}.proof p{margin:4px 0}" +
  "::slotted([slot=card]){display:block;max-width:24em;padding:9px 8px;margin:0 0 8px;border:1px solid #9aa3b2;border-radius:6px;background:#fff}";

var el = function (tag, attrs, text) {
  var e = document.createElement(tag);
  for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
};

var style = el("style");
style.textContent = css;
var box = el("div", { class: "box", part: "box" });
root.appendChild(style);
root.appendChild(box);
box.appendChild(el("p", { class: "msg" }, t("loading")));

var campaign = null, busy = false, M = null, ui = {};
function money(minor) { return M.format(minor); }

function request(method, path, body, headers) {
  /* "no-cache": the browser revalidates with If-None-Match from its own
   * cache every time, so a 304 costs no body and no CORS preflight. */
  var opts = { method: method, headers: headers || {}, cache: "no-cache" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  return fetch(api + path, opts);
}

/* Closed by staff, or past its deadline. */
function isClosed() {
  return campaign.status !== "open" ||
    (campaign.deadline != null && Date.parse(campaign.deadline) <= Date.now());
}

/* May this page post pledges (the campaign's allowed_origins, or our own
 * pages)? The browser hides a CORS refusal as a network error. */
function originAllowed() {
  return location.origin === api || (campaign.allowed_origins || []).indexOf(location.origin) >= 0;
}

/* The marks under the bar: 0, the tiers and the goal. Those too close to
 * draw without touching are dropped (the first and last stay), again
 * whenever the widget's width changes. */
function placeMarks(marks) {
  var max = Math.max(campaign.goal_minor, campaign.tiers[campaign.tiers.length - 1] || 0) || 1;
  var points = [0].concat(campaign.tiers, [campaign.goal_minor])
    .filter(function (v, i, a) { return a.indexOf(v) === i; })
    .sort(function (a, b) { return a - b; });
  marks.textContent = "";
  var spans = points.map(function (v, i) {
    var m = el("span", { class: "mark" + (i === 0 ? " first" : "") + (i === points.length - 1 ? " last" : "") }, money(v));
    var pct = 100 * v / max;
    m.style.left = (words.dir === "rtl" ? 100 - pct : pct) + "%";
    marks.appendChild(m);
    return m;
  });
  var rect = function (m) { return m.getBoundingClientRect(); };
  var apart = function (a, b) { /* 8 px between two marks at least */
    var x = rect(a), y = rect(b);
    return x.right + 8 <= y.left || y.right + 8 <= x.left;
  };
  var kept = [spans[0]], last = spans[spans.length - 1];
  spans.slice(1, -1).forEach(function (m) {
    if (apart(m, kept[kept.length - 1]) && apart(m, last)) kept.push(m);
    else m.remove();
  });
  if (last !== spans[0] && !apart(last, kept[kept.length - 1])) kept.pop().remove();
}

function render() {
  box.textContent = "";
  box.appendChild(el("h2", {}, campaign.title));
  ui.bar = el("div", {
    class: "track", role: "progressbar", "aria-label": t("progress"),
    "aria-valuemin": "0", "aria-valuemax": String(campaign.goal_minor)
  });
  ui.fill = el("div", { class: "fill" });
  ui.bar.appendChild(ui.fill);
  box.appendChild(ui.bar);
  var marks = el("div", { class: "marks", "aria-hidden": "true" });
  box.appendChild(marks);
  placeMarks(marks);
  var width = marks.clientWidth;
  if (window.ResizeObserver)
    new ResizeObserver(function () {
      if (marks.isConnected && marks.clientWidth !== width) {
        width = marks.clientWidth;
        placeMarks(marks);
      }
    }).observe(marks);
  ui.raised = el("p", { class: "raised", "aria-live": "polite" });
  box.appendChild(ui.raised);
  ui.sup = null;
  if (campaign.supporters_list && campaign.supporters_list !== "off") {
    ui.sup = el("section", { class: "supporters", "aria-label": t("recent") });
    box.appendChild(ui.sup);
    loadSupporters();
  }

  if (isClosed()) {
    box.appendChild(el("p", { class: "msg closed" }, t("closed")));
    showTotals(campaign);
    return;
  }
  var tiers = el("div", { class: "tiers", role: "group", "aria-label": t("amounts") });
  campaign.tiers.forEach(function (v) {
    var b = el("button", { type: "button", class: v === 0 ? "alt" : "" },
      v === 0 ? t("free", { zero: money(0) }) : t("tier", { amount: money(v) }));
    b.addEventListener("click", function () { pledge(v); });
    tiers.appendChild(b);
  });
  box.appendChild(tiers);

  var form = el("form", { novalidate: "" });
  var lbl = el("label", {}, t("custom", { symbol: campaign.currency_symbol }));
  ui.amount = el("input", { type: "text", inputmode: "decimal", name: "amount", autocomplete: "off",
    placeholder: M.plain(campaign.min_custom_minor) });
  lbl.appendChild(ui.amount);
  var nlbl = el("label", {}, t("name"));
  ui.name = el("input", { type: "text", name: "donor_name", maxlength: "200", autocomplete: "name" });
  nlbl.appendChild(ui.name);
  form.appendChild(lbl);
  form.appendChild(nlbl);
  form.appendChild(el("button", { type: "submit" }, t("pledge")));
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var r = M.parse(ui.amount.value), minor = r.minor;
    if (r.error === "ambiguous")
      return say(t("ambiguous", { text: ui.amount.value.trim(), a: money(r.a), b: money(r.b) }), true);
    if (r.error) return say(t("example", { example: M.example() }), true);
    if (campaign.tiers.indexOf(minor) < 0 &&
        (minor < campaign.min_custom_minor || minor > campaign.max_custom_minor))
      return say(rangeText(), true);
    pledge(minor);
  });
  ui.form = form;
  box.appendChild(form);
  ui.msg = el("p", { class: "msg", role: "status", "aria-live": "polite" });
  box.appendChild(ui.msg);
  ui.thanks = el("div", { class: "thanks", hidden: "" });
  box.appendChild(ui.thanks);
  showTotals(campaign);
}

function rangeText() {
  return t("range", { min: money(campaign.min_custom_minor), max: money(campaign.max_custom_minor) });
}

/* Recent supporters, as the server lists them: names only when not
 * anonymous nor hidden by staff, only approved ones when moderated. */
function loadSupporters() {
  if (!ui.sup) return;
  request("GET", "/v1/campaigns/" + id + "/supporters").then(function (r) { return r.json(); }).then(function (d) {
    ui.sup.textContent = "";
    if (!d.supporters || !d.supporters.length) return;
    ui.sup.appendChild(el("h3", {}, t("recent")));
    var ul = el("ul");
    d.supporters.forEach(function (s) { ul.appendChild(el("li", { class: s.name ? "" : "anon" }, s.name || t("anon"))); });
    ui.sup.appendChild(ul);
  }).catch(function (e) { console.error("pledged widget: supporters:", e); });
}

function say(text, isError) {
  ui.msg.textContent = text;
  ui.msg.className = "msg " + (isError ? "err" : "ok");
}

function showTotals(tot) {
  if (tot.seq !== undefined) shownSeq = tot.seq;
  // The campaign chooses what readers see as raised: promises, or money
  // collected (the default with a payment provider).
  var shown = tot.shown_minor !== undefined ? tot.shown_minor : tot.raised_minor;
  var pct = Math.min(100, 100 * shown / (campaign.goal_minor || 1));
  ui.fill.style.width = pct + "%";
  ui.bar.setAttribute("aria-valuenow", String(shown));
  ui.bar.setAttribute("aria-valuetext", t("ofGoal", { raised: money(shown), goal: money(campaign.goal_minor) }));
  ui.raised.textContent = t("raised", { raised: money(shown), goal: money(campaign.goal_minor) }) +
    " · " + words.n("supporters", tot.supporters);
  ui.raised.setAttribute("data-raised-minor", String(shown));
}

var shownSeq = -1;

function poll() {
  request("GET", "/v1/campaigns/" + id + "/totals").then(function (r) {
    if (r.status === 200)
      return r.json().then(function (tot) {
        if (tot.seq !== shownSeq) { showTotals(tot); loadSupporters(); }
      });
  }).catch(function () {}).then(function () { setTimeout(poll, 2000); });
}

/* Attribution (docs/WIDGET.md): the page the reader is on, without its
 * query or fragment, and its utm_* parameters. On our /embed/ page (in a
 * publisher's iframe) the publisher names the page: ?page=&utm_source=...
 * A value the server would refuse is left out: it must never cost a
 * pledge. */
function attribution() {
  var a = {}, q = new URLSearchParams(location.search);
  var page = location.origin === api && /^\/embed\//.test(location.pathname) ? q.get("page") || ""
    : location.origin + location.pathname;
  page = page.split(/[?#]/)[0];
  if (/^https?:\/\/[!-~]+$/.test(page) && page.length <= 2048) a.source_page = page;
  ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (k) {
    var v = (q.get(k) || "").replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
    while (new TextEncoder().encode(v).length > 200) v = v.slice(0, -1);
    if (v) a[k] = v;
  });
  return a;
}

/* One Idempotency-Key per pledge the reader means to make: reused for
 * every retry of that pledge, so a retry can never count twice. */
var pending = null;

function pledge(minor) {
  if (busy) return;
  var name = ui.name.value.trim();
  var body = attribution();
  body.amount_minor = minor;
  if (name) body.donor_name = name;
  if (!pending || pending.minor !== minor || pending.name !== name)
    pending = { minor: minor, name: name, key: crypto.randomUUID() };
  busy = true;
  say(t("sending"), false);
  attempt(body, pending.key, 0);
}

/* A refusal in the reader's words; the server's own in the console. */
function refused(status, data) {
  var e = (data && data.error) || {};
  console.error("pledged widget: the pledge was refused (" + status + " " + e.code + (e.field ? " on " + e.field : "") + "): " + e.message);
  if (e.code === "campaign_closed") {
    campaign.status = "closed";
    render();
    return;
  }
  if (e.code === "amount_out_of_range") return say(rangeText(), true);
  say(status >= 500 ? t("server") : t("refused"), true);
}

function attempt(body, key, tries) {
  request("POST", "/v1/campaigns/" + id + "/pledges", body, { "Idempotency-Key": key })
    .then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (r.status === 201) return thanks(data);
        if ((r.status === 503 || r.status === 429) && tries < 3)
          return retry(body, key, tries, r.headers.get("Retry-After"));
        busy = false;
        if (r.status < 500) pending = null; /* refused: a new try is a new pledge */
        refused(r.status, data);
      });
    })
    .catch(function (e) {
      if (!originAllowed()) { /* a CORS refusal: no retry helps */
        busy = false;
        pending = null;
        console.error("pledged widget: " + location.origin + " is not in the allowed_origins of campaign " +
          JSON.stringify(id) + ", so the browser refused to send the pledge. Add it in the dashboard.", e);
        return say(t("origin"), true);
      }
      if (tries < 3) return retry(body, key, tries, "1");
      busy = false;
      console.error("pledged widget: no answer from " + api + ":", e);
      say(t("network"), true);
    });
}

function retry(body, key, tries, after) {
  var s = Math.min(10, parseInt(after, 10) || 1);
  say(t("busy", { s: s }), false);
  setTimeout(function () { attempt(body, key, tries + 1); }, s * 1000);
}

function thanks(data) {
  busy = false;
  pending = null;
  var p = data.pledge;
  ui.form.reset(); /* a new pledge starts from a clean form */
  say(t("thanks", { amount: money(p.amount_minor) }), false);
  ui.thanks.hidden = false;
  ui.thanks.textContent = "";
  ui.thanks.appendChild(receiptView(data)); /* web/receipt.js */
  refreshTotals();
  loadSupporters();
  payStep(p);
}

function refreshTotals() {
  request("GET", "/v1/campaigns/" + id + "/totals").then(function (r) { return r.json(); })
    .then(showTotals).catch(function () {});
}

/* The words of the locale asked for (i18n.js), or English if they cannot
 * be had. */
function loadWords() {
  var lang = langOf(locale);
  if (lang === "en") return Promise.resolve(null);
  return request("GET", "/widget/strings/" + lang + ".json").then(function (r) {
    if (r.status !== 200) throw new Error("status " + r.status);
    return r.json();
  }).catch(function (e) {
    console.error("pledged widget: no " + lang + " words, English instead:", e);
    return null;
  });
}

function useWords(table) {
  words = makeWords(locale, table);
  t = words.t;
  box.setAttribute("dir", words.dir);
  box.setAttribute("lang", words.lang === langOf(locale) && locale ? locale : "en");
}
useWords(null);

Promise.all([request("GET", "/v1/campaigns/" + id).then(function (r) {
  return r.json().then(function (data) {
    if (r.status !== 200) throw new Error(data.error ? data.error.message : "status " + r.status);
    return data;
  });
}), loadWords()]).then(function (got) {
  campaign = got[0];
  M = makeMoney(campaign, locale);
  useWords(got[1]);
  render();
  setTimeout(poll, 2000);
}).catch(function (e) {
  console.error("pledged widget: campaign " + JSON.stringify(id) + " could not be loaded:", e);
  box.textContent = "";
  box.appendChild(el("p", { class: "msg err" }, t("unavailable")));
});
