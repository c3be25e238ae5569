/* Amounts, shown and read (part of /widget.js: scripts/bundle). Money is
 * minor units, exact: strings and integers only, never floats. */

/* Splits minor units into sign, whole and fraction digit strings. */
function splitMinor(minor, exp) {
  var s = String(Math.abs(minor));
  while (s.length <= exp) s = "0" + s;
  return { neg: minor < 0, whole: s.slice(0, s.length - exp), cents: s.slice(s.length - exp) };
}

/* The amount formatter and reader for a campaign's currency. With no
 * locale, the reference page's form: 2,500 $ / 929 $ / 12.50 $ (the
 * contract's display form, cents only when not zero). With one, the
 * locale's own through Intl.NumberFormat: "2 500 €", "2.500 €", "€2,500". */
function makeMoney(c, locale) {
  var exp = c.currency_exponent, sym = c.currency_symbol;
  var nf = {}, dec = ".", group = ",";
  function intl(frac) { /* frac: show the cents */
    var k = frac ? "f" : "w";
    if (!nf[k]) {
      try {
        nf[k] = new Intl.NumberFormat(locale, { style: "currency", currency: c.currency,
          minimumFractionDigits: frac ? exp : 0, maximumFractionDigits: frac ? exp : 0 });
      } catch (e) { /* a currency Intl does not know: the number and our symbol */
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
    if (locale) /* a decimal string: Intl keeps every digit */
      return intl(frac).format((p.neg ? "-" : "") + p.whole + (exp > 0 ? "." + p.cents : ""));
    var out = (p.neg ? "-" : "") + p.whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    if (frac) out += "." + p.cents;
    return out + " " + sym;
  }

  /* What a reader typed -> {minor}, or {error: "invalid"}, or {error:
   * "ambiguous", a, b} with the two amounts it could mean. Read as readers
   * of the locale write: its own decimal and group separators, any
   * spaces, its digits (Arabic-Indic too), the currency symbol or code.
   * The other habit is taken when only one reading is possible ("75.00"
   * in French, "75,00" in English: the separator is followed by up to
   * `exp` digits, so it cannot group thousands). A lone separator followed
   * by exactly three digits that the locale reads as a decimal ("1.000"
   * in English, "1,000" in German) is refused as ambiguous. */
  function parse(text) {
    var s = String(text).replace(/[\u0660-\u0669]/g, function (d) { return d.charCodeAt(0) - 0x660; })
      .replace(/[\u06f0-\u06f9]/g, function (d) { return d.charCodeAt(0) - 0x6f0; })
      .split(sym).join("").split(c.currency).join("")
      .replace(/[\s\u00a0\u202f\u200e\u200f\u061c']/g, "");
    /* The locale's own separators, whatever they are, to "." and ",". */
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
      else if (after !== 3) isDecimal = true; /* cannot be a group of three */
      else if (c0 === lg && c0 !== ld) isDecimal = false; /* "1.000" in German */
      else if (exp >= 3 && c0 === ld) isDecimal = true;
      else { /* "1.000" in English: one thousand, or one? */
        var a = fromDigits(s.slice(0, last) + s.slice(last + 1), ""),
            b = fromDigits(s.slice(0, last), s.slice(last + 1).replace(/0+$/, ""));
        return a === null || b === null ? { error: "invalid" } : { error: "ambiguous", a: a, b: b };
      }
      if (isDecimal) { whole = s.slice(0, last); frac = s.slice(last + 1); }
      /* What is left may hold group separators, of one kind, in threes. */
      var g = whole.replace(/\d/g, "");
      if (g && (!/^\d{1,3}([.,]\d{3})+$/.test(whole) || g.split(g.charAt(0)).join("") ||
                (isDecimal && g.charAt(0) === s.charAt(last)))) return { error: "invalid" };
      whole = whole.replace(/[.,]/g, "");
    }
    var m = fromDigits(whole, frac);
    return m === null ? { error: "invalid" } : { minor: m };
  }

  /* Whole and fraction digits -> minor units, or null (too many decimals
   * for the currency, or past 2^53: refused, never rounded). */
  function fromDigits(whole, frac) {
    if (frac.length > exp || /[^\d]/.test(whole + frac)) return null;
    var digits = (whole + frac.padEnd(exp, "0")).replace(/^0+(?=\d)/, "");
    if (digits.length > 15) return null;
    return Number(digits);
  }

  return {
    format: format,
    parse: parse,
    /* The example in "Enter an amount like 12.50": the locale's form. */
    example: function () {
      if (!locale) return exp > 0 ? "12." + "50".padEnd(exp, "0").slice(0, exp) : "12";
      return new Intl.NumberFormat(locale, { minimumFractionDigits: exp, maximumFractionDigits: exp }).format(12.5);
    },
    /* An amount as a reader would type it (no symbol): "1000", "1,00". */
    plain: function (minor) {
      var p = splitMinor(minor, exp);
      return p.whole + (exp > 0 && /[1-9]/.test(p.cents) ? (locale ? ld : ".") + p.cents : "");
    }
  };
}
