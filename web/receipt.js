/* The thank-you receipt (part of /widget.js: scripts/bundle): what a reader
 * recognises as a receipt (amount, campaign, date, its number), an action
 * to save it, and the signed receipt's download and verification. Shares
 * the widget's scope: campaign, t, money, request, el, api, locale. */

/* created_at as the reader's date and time, with its time zone. */
function when(iso) {
  var d = new Date(iso);
  if (isNaN(d)) return iso;
  return new Intl.DateTimeFormat(locale || "en-US", { year: "numeric", month: "long",
    day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(d);
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

/* The receipt as a page of its own, to keep or print: the same details,
 * then the signed receipt and how to check it. */
function receiptPage(rows, doc) {
  var dir = words.dir, lang = locale || "en";
  return "<!doctype html><html lang=\"" + esc(lang) + "\" dir=\"" + dir + "\"><meta charset=\"utf-8\"><title>" +
    esc(t("receipt")) + "</title><body style=\"font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto\">" +
    "<h1>" + esc(t("receipt")) + "</h1><dl>" + rows.map(function (r) {
      return "<dt><b>" + esc(r[0]) + "</b></dt><dd>" + esc(r[1]) + "</dd>";
    }).join("") + "</dl><h2>" + esc(t("verify")) + "</h2><p>POST " + esc(api) +
    "/v1/receipts/verify</p><pre style=\"white-space:pre-wrap;word-break:break-all\">" +
    esc(JSON.stringify(doc, null, 2)) + "</pre></body></html>";
}

/* The thank-you's receipt for a pledge response: data.pledge, data.receipt. */
function receiptView(data) {
  var p = data.pledge, doc = data.receipt;
  var view = el("section", { class: "receipt", "aria-label": t("receipt") });
  view.appendChild(el("h3", {}, t("receipt")));
  var rows = [[t("rAmount"), money(p.amount_minor)], [t("rCampaign"), campaign.title],
              [t("rDate"), when(p.created_at)], [t("rNumber"), p.id]];
  var dl = el("dl");
  rows.forEach(function (r, i) {
    dl.appendChild(el("dt", {}, r[0]));
    var dd = el("dd");
    if (i === 3) dd.appendChild(el("code", { class: "receipt-id" }, r[1]));
    else dd.textContent = r[1];
    dl.appendChild(dd);
  });
  view.appendChild(dl);
  var actions = el("p", { class: "actions" });
  actions.appendChild(el("a", { class: "save", download: "receipt-" + p.id + ".html",
    href: "data:text/html;charset=utf-8," + encodeURIComponent(receiptPage(rows, doc)) }, t("save")));
  actions.appendChild(document.createTextNode(" · "));
  var links = receiptLinks(doc, "receipt-" + p.id + ".json");
  while (links.firstChild) actions.appendChild(links.firstChild);
  view.appendChild(actions);
  view.appendChild(verifyGift(doc));
  return view;
}

/* "Verify my gift" (docs/VERIFY.md): web/verify.js, fetched from our
 * server only when asked, checks the gift in the page with WebCrypto and
 * writes what it checked into out, in the reader's words (t). */
function verifyGift(doc) {
  var btn = el("button", { type: "button", class: "alt verify-gift" }, t("verifyGift"));
  var out = el("div", { class: "proof", "aria-live": "polite" });
  var run = function () {
    window.__pledgedVerify(api, doc, out, money, t).then(function () { btn.disabled = false; });
  };
  btn.addEventListener("click", function () {
    btn.disabled = true;
    out.textContent = t("checkingGift");
    if (window.__pledgedVerify) return run();
    var s = el("script", { src: api + "/verify.js" });
    s.onload = run;
    s.onerror = function () {
      console.error("pledged widget: verify.js could not be fetched");
      out.textContent = t("noCheck");
      btn.disabled = false;
    };
    document.head.appendChild(s);
  });
  var wrap = el("div", { class: "verify-box" });
  wrap.appendChild(btn);
  wrap.appendChild(out);
  return wrap;
}

/* "Download" and "Verify" for a signed document: a pledge's receipt or a
 * payment's. */
function receiptLinks(doc, file) {
  var dl = el("a", { download: file,
    href: "data:application/json;charset=utf-8," + encodeURIComponent(JSON.stringify(doc)) },
    t("download"));
  var verify = el("a", { href: "#", class: "verify", role: "button" }, t("verify"));
  var result = el("span", { class: "verified", "aria-live": "polite" });
  verify.addEventListener("click", function (e) {
    e.preventDefault();
    request("POST", "/v1/receipts/verify", doc).then(function (r) { return r.json(); })
      .then(function (v) { result.textContent = v.valid ? t("valid", { kid: v.kid }) : t("invalid"); })
      .catch(function (e) { console.error("pledged widget: verify:", e); result.textContent = t("noCheck"); });
  });
  var links = el("p");
  links.appendChild(dl);
  links.appendChild(document.createTextNode(" · "));
  links.appendChild(verify);
  links.appendChild(result);
  return links;
}
