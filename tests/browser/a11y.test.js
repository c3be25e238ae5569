// axe-core (from the npm registry, tests/browser's lock) inside Chromium:
// no serious or critical violation on the demo page, the embed page in
// each locale (before and after a pledge), and the signed-in dashboard
// with a campaign, its chart, the campaign form and the tokens panel (a
// field error, a new token shown) open. Real server.
"use strict";
const L = require("./lib");
const { BASE, W, test, assert } = L;

const AXE = require.resolve("axe-core/axe.min.js");

// The serious and critical violations on page, one line each.
async function violations(page) {
  // bypassCSP (below) lets the test inject axe into our pages, whose
  // policy allows our own scripts only.
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes: ` +
      v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(", ") + ")");
}

function clean(list, where) {
  assert(list.length === 0, where + ":\n  " + list.join("\n  "));
}

(async () => {
  const ctx = await L.launch({ bypassCSP: true });

  await test("the check itself finds planted violations", async () => {
    const page = await ctx.newPage();
    await page.goto(BASE + "/embed/help-us");
    await page.evaluate(() => {
      document.body.insertAdjacentHTML("beforeend", '<img src="/x.png"><div role="progressbar" aria-valuenow="5"></div>' +
        '<p style="color:#999;background:#fff">low contrast</p>');
    });
    const found = (await violations(page)).join("\n");
    assert(/image-alt/.test(found) && /aria-progressbar-name/.test(found) && /color-contrast/.test(found),
           "found: " + found);
    await page.close();
  });

  await test("the demo page /", async () => {
    const page = await L.openWidget(ctx, BASE + "/");
    clean(await violations(page), "/");
    await page.close();
  });

  for (const loc of ["", "en-US", "fr-FR", "de-DE", "es-ES", "ar"]) {
    await test(`/embed/help-us${loc ? "?locale=" + loc : ""}, then its receipt`, async () => {
      const page = await L.openWidget(ctx, `${BASE}/embed/help-us${loc ? "?locale=" + loc : ""}`);
      clean(await violations(page), "embed " + loc);
      await page.locator(W + " .tiers button").first().click();
      await page.locator(W + " .receipt").waitFor();
      clean(await violations(page), "receipt " + loc);
      await page.close();
    });
  }

  await test("the signed-in dashboard: campaigns, a campaign with its chart, the campaign form", async () => {
    const page = await ctx.newPage();
    await page.goto(BASE + "/admin");
    clean(await violations(page), "sign-in");
    await page.fill("#token", L.token());
    await page.click("#login-form button");
    await page.locator("#campaigns tbody tr").first().waitFor();
    await page.locator("#campaigns tbody tr", { hasText: "help-us" }).locator("button").click();
    await page.locator("#pledges tbody tr").first().waitFor();
    await page.locator("#chart path.raised").waitFor();
    await page.click("#audit");
    await page.waitForFunction(() => /PASS|FAIL/.test(document.getElementById("audit-result").textContent));
    clean(await violations(page), "dashboard");
    await page.click("#edit-campaign");
    clean(await violations(page), "campaign form");
    // The tokens panel with a field error, then with a new token shown.
    await page.fill("#token-name", "bad name");
    await page.click("#token-create");
    await page.waitForFunction(() => document.getElementById("err-token-name").textContent.length > 0);
    clean(await violations(page), "tokens panel, a bad name");
    const tname = "a11y-" + Date.now().toString(36);
    await page.fill("#token-name", tname);
    await page.click("#token-create");
    await page.locator("#token-made").waitFor();
    clean(await violations(page), "tokens panel, a new token shown");
    await page.setViewportSize({ width: 360, height: 800 });
    clean(await violations(page), "dashboard on a phone");
    await page.close();
    await L.admin("DELETE", "/v1/admin/tokens/" + tname);
  });

  await ctx.done();
})().catch((e) => { console.error(e); process.exit(1); });
