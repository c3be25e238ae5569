/* The widget's words (part of /widget.js: scripts/bundle). English is
 * built in; the others (LANGS) are web/strings-LANG.json, fetched from
 * /widget/strings/LANG.json only by a widget that asks for them, so the
 * script stays small. A missing key falls back to English. A plural is an
 * object of Intl.PluralRules categories ("one", "other", ...). {name} is
 * filled in by t(). Right-to-left languages are listed in RTL. */
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
  verifyGift: "Verify my gift",
  checkingGift: "Checking…",
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

/* The locale asked for: data-locale="fr-FR" on the script tag (the embed
 * page passes its ?locale= that way), "auto" for the page's lang, nothing
 * for the reference form (English words, amounts as "2,500 $"). */
function askedLocale(script) {
  var v = (script.getAttribute("data-locale") || "").trim();
  if (v === "auto") v = document.documentElement.lang || navigator.language || "";
  if (!v) return null;
  try { return Intl.getCanonicalLocales(v)[0]; } catch (e) {
    console.error("pledged widget: data-locale " + JSON.stringify(v) + " is not a language tag; using the default");
    return null;
  }
}

/* The language of locale we have words for: "fr" for "fr-CA", else "en". */
function langOf(locale) {
  var lang = locale ? locale.split("-")[0].toLowerCase() : "en";
  return LANGS.indexOf(lang) >= 0 ? lang : "en";
}

/* The words for locale (null: English), from table (null: English). */
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
    /* "1 supporter", "2 supporters": the plural category of n. */
    n: function (key, n) {
      var forms = table[key] || EN[key];
      return fill(forms[plural.select(n)] || forms.other, { n: count.format(n) });
    }
  };
}
