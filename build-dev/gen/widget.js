/* pledged donate widget: built from web/ by scripts/bundle. */
(function () {
"use strict";
var EN = {
loading: "Loading…",
unavailable: "The donation widget is unavailable right now. Please try again later.",
progress: "Raised toward the goal",
ofGoal: "{raised} of {goal}",
raised: "{raised} raised of {goal}",
supporters: {
"one": "{n} supporter",
"other": "{n} supporters"
},
amounts: "Pledge amounts",
free: "Free supporter pledge ({zero})",
tier: "Pledge {amount}",
custom: "Custom amount ({symbol})",
name: "Your name (optional)",
pledge: "Pledge",
example: "Enter an amount like {example}.",
ambiguous: "“{text}” could mean two amounts. Please write {a} or {b}.",
range: "A custom amount must be between {min} and {max}.",
sending: "Sending your pledge…",
busy: "Busy, retrying in {s} s…",
network: "Network problem: your pledge was not confirmed. Try again; it will not count twice.",
origin: "This page cannot take pledges for this campaign yet, so nothing was recorded. Please let the publisher know.",
closed: "This campaign has ended. Thank you for your support!",
refused: "Your pledge could not be accepted. Please check the amount and your name.",
server: "Something went wrong on our side: your pledge was not recorded. Please try again in a moment.",
thanks: "Thank you! Your pledge of {amount} is recorded.",
receipt: "Your receipt",
rAmount: "Amount",
rCampaign: "Campaign",
rDate: "Date",
rNumber: "Receipt number",
save: "Save the receipt",
download: "Download the signed receipt",
verify: "Verify the receipt",
valid: " ✓ signature valid (key {kid})",
invalid: " ✗ not valid",
noCheck: " could not check now",
promise: "Your pledge is a promise until it is paid. ",
payNow: "Pay now",
byCard: "Pay it now by card:",
pay: "Pay {amount}",
cardLoading: "Loading the card form…",
noCard: "The card form could not be loaded. Your pledge is recorded.",
checking: "Checking your card…",
taking: "Taking the payment…",
noService: "Could not reach the card service. Try again.",
declined: "Your card was declined. Try another card.",
confirming: "Confirming your payment… (retrying in {s} s)",
unconfirmed: "Your payment could not be confirmed yet. Please do not pay again: if your card was charged, the payment will be recorded.",
otherCard: "This card could not be used. Try another card.",
nothingToPay: "There is nothing left to pay for this pledge.",
paidThanks: "Thank you! Your payment of {amount} is received.",
paid: "Payment received: {amount}. Thank you!",
payReceipt: "Payment receipt id: ",
recent: "Recent supporters",
anon: "An anonymous supporter"
};
var LANGS = ["fr", "de", "es", "ar"], RTL = { ar: true, he: true, fa: true, ur: true };

function askedLocale(script) {
var v = (script.getAttribute("data-locale") || "").trim();
if (v === "auto") v = document.documentElement.lang || navigator.language || "";
if (!v) return null;
try { return Intl.getCanonicalLocales(v)[0]; } catch (e) {
console.error("pledged widget: data-locale " + JSON.stringify(v) + " is not a language tag; using the default");
return null;
}
}

function langOf(locale) {
var lang = locale ? locale.split("-")[0].toLowerCase() : "en";
return LANGS.indexOf(lang) >= 0 ? lang : "en";
}

function makeWords(locale, table) {
var lang = table ? langOf(locale) : "en";
table = table || EN;
var plural = new Intl.PluralRules(locale || "en");
var count = locale ? new Intl.NumberFormat(locale) : { format: String };
function fill(s, vars) {
return s.replace(/\{(\w+)\}/g, function (m, k) { return vars && k in vars ? vars[k] : m; });
}
return {
lang: lang,
dir: RTL[lang] ? "rtl" : "ltr",
t: function (key, vars) {
return fill(typeof table[key] === "string" ? table[key] : EN[key], vars);
},
n: function (key, n) {
var forms = table[key] || EN[key];
return fill(forms[plural.select(n)] || forms.other, { n: count.format(n) });
}
};
}

function splitMinor(minor, exp) {
var s = String(Math.abs(minor));
while (s.length <= exp) s = "0" + s;
return { neg: minor < 0, whole: s.slice(0, s.length - exp), cents: s.slice(s.length - exp) };
}

function makeMoney(c, locale) {
var exp = c.currency_exponent, sym = c.currency_symbol;
var nf = {}, dec = ".", group = ",";
function intl(frac) {
var k = frac ? "f" : "w";
if (!nf[k]) {
try {
nf[k] = new Intl.NumberFormat(locale, { style: "currency", currency: c.currency,
minimumFractionDigits: frac ? exp : 0, maximumFractionDigits: frac ? exp : 0 });
} catch (e) {
nf[k] = { format: function (v) {
return new Intl.NumberFormat(locale, { minimumFractionDigits: frac ? exp : 0 }).format(v) + "\u00a0" + sym;
} };
}
}
return nf[k];
}
if (locale) {
new Intl.NumberFormat(locale).formatToParts(1234567.5).forEach(function (p) {
if (p.type === "decimal") dec = p.value;
if (p.type === "group") group = p.value;
});
}

function format(minor) {
var p = splitMinor(minor, exp), frac = exp > 0 && /[1-9]/.test(p.cents);
if (locale)
return intl(frac).format((p.neg ? "-" : "") + p.whole + (exp > 0 ? "." + p.cents : ""));
var out = (p.neg ? "-" : "") + p.whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
if (frac) out += "." + p.cents;
return out + " " + sym;
}

function parse(text) {
var s = String(text).replace(/[\u0660-\u0669]/g, function (d) { return d.charCodeAt(0) - 0x660; })
.replace(/[\u06f0-\u06f9]/g, function (d) { return d.charCodeAt(0) - 0x6f0; })
.split(sym).join("").split(c.currency).join("")
.replace(/[\s\u00a0\u202f\u200e\u200f\u061c']/g, "");
var ld = dec === "\u066b" ? "." : dec, lg = group === "\u066c" ? "," : group;
s = s.replace(/\u066b/g, ".").replace(/\u066c/g, ",");
if (!/^\d[\d.,]*$/.test(s) || /[.,]$/.test(s)) return { error: "invalid" };
var seps = s.replace(/\d/g, ""), whole = s, frac = "";
var last = Math.max(s.lastIndexOf("."), s.lastIndexOf(","));
if (seps.length > 0) {
var c0 = s.charAt(last), after = s.length - last - 1;
var both = seps.indexOf(".") >= 0 && seps.indexOf(",") >= 0;
var isDecimal;
if (both) isDecimal = true; /* "1.234,50", "1,234.50": the last is the decimal point */
else if (seps.length > 1) isDecimal = false; /* "1.234.567": groups only */
else if (after !== 3) isDecimal = true;
else if (c0 === lg && c0 !== ld) isDecimal = false; /* "1.000" in German */
else if (exp >= 3 && c0 === ld) isDecimal = true;
else { /* "1.000" in English: one thousand, or one? */
var a = fromDigits(s.slice(0, last) + s.slice(last + 1), ""),
b = fromDigits(s.slice(0, last), s.slice(last + 1).replace(/0+$/, ""));
return a === null || b === null ? { error: "invalid" } : { error: "ambiguous", a: a, b: b };
}
if (isDecimal) { whole = s.slice(0, last); frac = s.slice(last + 1); }
var g = whole.replace(/\d/g, "");
if (g && (!/^\d{1,3}([.,]\d{3})+$/.test(whole) || g.split(g.charAt(0)).join("") ||
(isDecimal && g.charAt(0) === s.charAt(last)))) return { error: "invalid" };
whole = whole.replace(/[.,]/g, "");
}
var m = fromDigits(whole, frac);
return m === null ? { error: "invalid" } : { minor: m };
}

function fromDigits(whole, frac) {
if (frac.length > exp || /[^\d]/.test(whole + frac)) return null;
var digits = (whole + frac.padEnd(exp, "0")).replace(/^0+(?=\d)/, "");
if (digits.length > 15) return null;
return Number(digits);
}

return {
format: format,
parse: parse,
example: function () {
if (!locale) return exp > 0 ? "12." + "50".padEnd(exp, "0").slice(0, exp) : "12";
return new Intl.NumberFormat(locale, { minimumFractionDigits: exp, maximumFractionDigits: exp }).format(12.5);
},
plain: function (minor) {
var p = splitMinor(minor, exp);
return p.whole + (exp > 0 && /[1-9]/.test(p.cents) ? (locale ? ld : ".") + p.cents : "");
}
};
}
var stripe = null, card = null;

function payStep(p) {
dropCard();
if (p.amount_minor <= 0) return;
if (campaign.card) cardStep(p);
else if (campaign.payment_link) payLink(p);
}

function payLink(p) {
var url;
try { url = new URL(campaign.payment_link); } catch (e) { return; }
url.searchParams.set("client_reference_id", p.id);
var para = el("p", { class: "pay" }, t("promise"));
para.appendChild(el("a", { class: "pay-link", href: url.href, target: "_blank", rel: "noopener" }, t("payNow")));
ui.thanks.appendChild(para);
}

function loadStripe(src) {
if (window.Stripe) return Promise.resolve(window.Stripe);
return new Promise(function (ok, fail) {
var s = [].filter.call(document.scripts, function (x) { return x.src === src; })[0];
if (!s) {
s = el("script", { src: src, async: "" });
document.head.appendChild(s);
}
var no = function () { fail(new Error("Stripe.js did not load from " + src)); };
s.addEventListener("load", function () { window.Stripe ? ok(window.Stripe) : no(); });
s.addEventListener("error", no);
});
}

function dropCard() {
if (card && card.destroy) card.destroy();
card = null;
host.textContent = "";
}

function cardStep(p) {
var step = el("div", { class: "pay" });
step.appendChild(el("p", {}, t("byCard")));
step.appendChild(el("slot", { name: "card" }));
var btn = el("button", { type: "button", class: "pay-btn", disabled: "" }, t("pay", { amount: money(p.amount_minor) }));
var msg = el("p", { class: "pay-msg", role: "status", "aria-live": "polite" }, t("cardLoading"));
step.appendChild(btn);
step.appendChild(msg);
ui.thanks.appendChild(step);
var tell = function (text, isError) {
msg.textContent = text;
msg.className = "pay-msg " + (isError ? "err" : "ok");
};

loadStripe(campaign.card.js).then(function (Stripe) {
if (!step.isConnected) return;
stripe = stripe || Stripe(campaign.card.publishable_key);
var mount = el("div", { slot: "card" });
host.appendChild(mount);
card = stripe.elements().create("card", { style: { base: { fontSize: "16px" } } });
card.mount(mount);
btn.disabled = false;
tell("", false);
}).catch(function (e) { /* blocked (a page's CSP), offline, or refused */
console.error("pledged widget: no card form:", e);
if (!step.isConnected) return;
tell(t("noCard"), true);
if (campaign.payment_link) payLink(p);
});

btn.addEventListener("click", function () {
if (busy || !card) return;
busy = btn.disabled = true;
tell(t("checking"), false);
stripe.createToken(card).then(function (result) {
if (result.error) return again(result.error.message);
tell(t("taking"), false);
send(result.token.id, 0);
}, function () { again(t("noService")); });
});

function again(text) {
busy = btn.disabled = false;
tell(text, true);
}

function send(token, tries) {
request("POST", "/v1/campaigns/" + id + "/pledges/" + p.id + "/card", { token: token })
.then(function (r) {
return r.json().then(function (d) { return [r.status, d]; }, function () { return [r.status, null]; });
})
.then(function (a) { answer(a[0], a[1], token, tries); },
function () { answer(0, null, token, tries); });
}

function answer(status, data, token, tries) {
if (status === 201 || status === 200) return paid(data);
if (status === 402) {
if (card && card.clear) card.clear();
return again(t("declined"));
}
if (status === 0 || status === 429 || status >= 500) {
if (tries < 3) {
var s = 1 << tries;
tell(t("confirming", { s: s }), false);
return setTimeout(function () { send(token, tries + 1); }, s * 1000);
}
busy = false;
return tell(t("unconfirmed"), true);
}
if (status === 422) {
console.error("pledged widget: the card was refused:", data && data.error);
return again(t("otherCard"));
}
busy = false;
console.error("pledged widget: payment answered " + status + ":", data && data.error);
tell(status === 409 || status === 404 ? t("nothingToPay") : t("server"), true);
}

function paid(data) {
busy = false;
dropCard();
var pay = data.payment, doc = data.receipt;
say(t("paidThanks", { amount: money(pay.amount_minor) }), false);
step.textContent = "";
step.className = "pay paid";
step.appendChild(el("p", { class: "ok" }, t("paid", { amount: money(pay.amount_minor) })));
step.appendChild(el("p", {}, t("payReceipt")));
step.lastChild.appendChild(el("code", { class: "payment-id" }, doc.receipt.payment_id));
step.appendChild(receiptLinks(doc, "payment-" + doc.receipt.payment_id + ".json"));
refreshTotals();
}
}

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
view.appendChild(el("p", { class: "verify-slot" }));
return view;
}

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
var me = document.currentScript;
if (!me) return;
var api = new URL(me.src, location.href).origin;
var id = me.getAttribute("data-campaign") || "help-us";
var locale = askedLocale(me), words = makeWords(locale, null), t = words.t;

var host = document.createElement("div");
host.className = "pledged-widget";
me.parentNode.insertBefore(host, me);
var root = host.attachShadow({ mode: "open" });

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
var opts = { method: method, headers: headers || {}, cache: "no-cache" };
if (body !== undefined) {
opts.headers["Content-Type"] = "application/json";
opts.body = JSON.stringify(body);
}
return fetch(api + path, opts);
}

function isClosed() {
return campaign.status !== "open" ||
(campaign.deadline != null && Date.parse(campaign.deadline) <= Date.now());
}

function originAllowed() {
return location.origin === api || (campaign.allowed_origins || []).indexOf(location.origin) >= 0;
}

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
var apart = function (a, b) {
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
if (r.status < 500) pending = null;
refused(r.status, data);
});
})
.catch(function (e) {
if (!originAllowed()) {
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
ui.form.reset();
say(t("thanks", { amount: money(p.amount_minor) }), false);
ui.thanks.hidden = false;
ui.thanks.textContent = "";
ui.thanks.appendChild(receiptView(data));
refreshTotals();
loadSupporters();
payStep(p);
}

function refreshTotals() {
request("GET", "/v1/campaigns/" + id + "/totals").then(function (r) { return r.json(); })
.then(showTotals).catch(function () {});
}

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
})();
