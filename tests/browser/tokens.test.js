// The dashboard's "Admin tokens" (issue 20: token management): a bad name
// refused at the field in the API's words, a token created with its text
// shown once (copy button, "you will not see it again"), used to sign in
// on a fresh page, its own revoke refused there, then revoked from the
// first page with a confirmation and refused at sign-in; by keyboard
// alone; at a phone's width. Real Chromium, real server.
"use strict";
const crypto = require("crypto");
const L = require("./lib");
const { BASE, test, assert, eq } = L;

const text = (page, sel) => page.locator(sel).first().textContent();

// Is s anywhere on the page: its text, or a field's value?
const onPage = (page, s) => page.evaluate((x) => document.body.innerText.includes(x) ||
  [...document.querySelectorAll("input, textarea")].some((i) => i.value.includes(x)), s);

async function signIn(page, token) {
  await page.goto(BASE + "/admin");
  await page.fill("#token", token);
  await page.click("#login-form button");
}

(async () => {
  const ctx = await L.launch({ timezoneId: "UTC" });
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  const page = await ctx.newPage();
  const cspErrors = [];
  page.on("console", (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });
  const name = "desk-" + crypto.randomBytes(4).toString("hex");
  let secret;

  await test("the panel lists the tokens, names and dates only", async () => {
    await signIn(page, L.token());
    await page.locator("#admin-tokens tbody tr").first().waitFor();
    const api = (await L.admin("GET", "/v1/admin/tokens")).body.tokens;
    eq(await page.locator("#admin-tokens tbody tr").count(), api.length, "one row per token");
    const live = api.find((t) => !t.revoked_at);
    const row = page.locator(`#admin-tokens tbody tr[data-token="${live.name}"]`);
    assert((await row.textContent()).includes("live"), "live shown: " + await row.textContent());
    eq(await row.locator("time").first().getAttribute("datetime"), live.created_at, "created");
    eq(await row.locator("button").getAttribute("aria-label"), "Revoke the token " + live.name, "named button");
    assert(!(await onPage(page, L.token())), "no token text on the page");
  });

  await test("a bad name: the API's message at the field", async () => {
    await page.fill("#token-name", "has space");
    await page.click("#token-create");
    await page.waitForFunction(() => document.getElementById("err-token-name").textContent.length > 0);
    const api = await L.admin("POST", "/v1/admin/tokens", { name: "has space" });
    eq(api.body.error.field, "name", "the API names the field");
    eq(await text(page, "#err-token-name"), api.body.error.message, "the API's own message");
    eq(await page.getAttribute("#token-name", "aria-invalid"), "true", "marked invalid");
    eq(await page.evaluate(() => document.activeElement.id), "token-name", "focus back at the field");
    assert(await page.locator("#token-made").isHidden(), "nothing made");
  });

  await test("create one by keyboard: its text shown once, with a copy button and a warning", async () => {
    await page.focus("#token-name");
    await page.keyboard.press("Control+A");
    await page.keyboard.type(name);
    await page.keyboard.press("Enter");
    await page.locator("#token-made").waitFor();
    eq(await page.getAttribute("#token-name", "aria-invalid"), null, "the field error cleared");
    eq(await text(page, "#err-token-name"), "", "no field message");
    secret = await page.inputValue("#token-secret");
    assert(/^[A-Za-z0-9_-]{43}$/.test(secret), "a token's text: " + secret);
    assert(/you will not see it again/.test(await text(page, "#token-made")), await text(page, "#token-made"));
    eq(await page.evaluate(() => document.activeElement.id), "token-secret", "focus on the token");
    assert((await page.getAttribute("#token-secret", "aria-label")).includes("new token"), "labelled");
    // Tab to the copy button and press it: the clipboard holds the text.
    await page.keyboard.press("Tab");
    eq(await page.evaluate(() => document.activeElement.id), "token-copy", "copy is next");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /copied/.test(document.getElementById("tokens-msg").textContent));
    eq(await page.evaluate(() => navigator.clipboard.readText()), secret, "copied whole");
    await page.locator(`#admin-tokens tbody tr[data-token="${name}"]`).waitFor();
    const listed = (await L.admin("GET", "/v1/admin/tokens")).body.tokens.find((t) => t.name === name);
    assert(listed && listed.revoked_at === null, "made, live: " + JSON.stringify(listed));
  });

  await test("a name taken: 409 at the field", async () => {
    await page.fill("#token-name", name);
    await page.click("#token-create");
    await page.waitForFunction(() => document.getElementById("err-token-name").textContent.length > 0);
    assert(/exists/.test(await text(page, "#err-token-name")), await text(page, "#err-token-name"));
    eq(await page.inputValue("#token-secret"), secret, "the first token's text still there until dismissed");
  });

  await test("a phone's width with the token shown: nothing overflows", async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    const w = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert(w <= 360, "page width " + w);
    const box = await page.locator("#token-secret").boundingBox();
    assert(box.x >= 0 && box.x + box.width <= 360, "the token's field fits: " + JSON.stringify(box));
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  await test("'I have saved it' takes the text off the page", async () => {
    await page.click("#token-done");
    assert(await page.locator("#token-made").isHidden(), "hidden");
    assert(!(await onPage(page, secret)), "the text is gone from the page");
    eq(await page.evaluate(() => document.activeElement.id), "token-name", "focus back at the form");
  });

  const other = await ctx.newPage();
  other.on("console", (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });
  await test("a fresh page signs in with the new token; it cannot revoke itself", async () => {
    await signIn(other, secret);
    await other.locator("#campaigns tbody tr").first().waitFor();
    await other.locator(`#admin-tokens tbody tr[data-token="${name}"]`).waitFor();
    other.once("dialog", (d) => d.accept());
    await other.locator(`#admin-tokens tbody tr[data-token="${name}"] button`).click();
    await other.waitForFunction(() => /signed in/.test(document.getElementById("tokens-msg").textContent));
    assert(!(await other.locator("#app").isHidden()), "still signed in");
    assert(await other.locator(`#admin-tokens tbody tr[data-token="${name}"] button`).isEnabled(), "button back");
    const t = (await L.admin("GET", "/v1/admin/tokens")).body.tokens.find((x) => x.name === name);
    eq(t.revoked_at, null, "not revoked");
  });

  await test("revoke it from the first page, confirmed; then it is refused", async () => {
    await page.reload();
    await signIn(page, L.token());
    const row = page.locator(`#admin-tokens tbody tr[data-token="${name}"]`);
    // Cancelled: nothing happens.
    let asked = "";
    page.once("dialog", (d) => { asked = d.message(); d.dismiss(); });
    await row.locator("button").click();
    assert(asked.includes(name) && /cannot be undone/.test(asked), "confirmation names it: " + asked);
    let t = (await L.admin("GET", "/v1/admin/tokens")).body.tokens.find((x) => x.name === name);
    eq(t.revoked_at, null, "cancel revokes nothing");
    // Confirmed, by keyboard: focus the button and press Enter.
    page.once("dialog", (d) => d.accept());
    await row.locator("button").focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /revoked/.test(document.getElementById("tokens-msg").textContent));
    await page.waitForFunction((n) => /revoked/.test(
      document.querySelector(`#admin-tokens tbody tr[data-token="${n}"]`).textContent), name);
    eq(await row.locator("button").count(), 0, "no revoke button on a revoked token");
    t = (await L.admin("GET", "/v1/admin/tokens")).body.tokens.find((x) => x.name === name);
    assert(t.revoked_at, "revoked in the API");
    eq(L.psql("SELECT count(*) FROM admin_log WHERE action = 'token.revoke' AND target = :'v1'", name), "1",
       "logged");
    // The other page, still open with it, is signed out at its next call.
    await other.click("#signout");
    await signIn(other, secret);
    await other.waitForFunction(() => document.getElementById("login-msg").textContent.length > 0);
    assert(/not accepted/.test(await text(other, "#login-msg")), await text(other, "#login-msg"));
  });

  await test("signing out leaves no token text on the page", async () => {
    await page.fill("#token-name", name + "-b");
    await page.click("#token-create");
    await page.locator("#token-made").waitFor();
    const s2 = await page.inputValue("#token-secret");
    await page.click("#signout");
    eq(await page.inputValue("#token-secret"), "", "cleared");
    assert(!(await onPage(page, s2)), "gone");
    eq(await page.locator("#admin-tokens tbody tr").count(), 0, "list cleared");
    await L.admin("DELETE", "/v1/admin/tokens/" + name + "-b");
  });

  await test("no CSP violations", async () => {
    eq(cspErrors.length, 0, "CSP: " + cspErrors);
  });

  await ctx.done();
})().catch((e) => { console.error(e); process.exit(1); });
