// Screenshots for the README, taken by the browser so they stay current:
// the widget in French and in Arabic (right to left) and the dashboard.
// They go to var/screenshots/ (checked here: real PNGs of the right size);
// `make screenshots` writes them to docs/screenshots/, where README.md
// shows them, to be committed.
"use strict";
const fs = require("fs");
const path = require("path");
const L = require("./lib");
const { BASE, W, test, assert } = L;

const out = process.env.PLEDGED_SCREENSHOTS ||
  path.join(__dirname, "..", "..", "var", "screenshots");

// A PNG's width and height from its IHDR chunk.
function pngSize(file) {
  const b = fs.readFileSync(file);
  assert(b.slice(1, 4).toString() === "PNG", file + " is a PNG");
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

(async () => {
  fs.mkdirSync(out, { recursive: true });
  const ctx = await L.launch({ timezoneId: "UTC" });
  const c = await L.newCampaign({ id: "shots-" + Date.now().toString(36), title: "Fonds pour l’enquête / صندوق التحقيق" });
  for (const [who, amount, mail] of [["Ana", 2500, "ana"], ["Karim", 5000, "karim"], ["Léa", 1000, "lea"]])
    await L.pledge(c.id, amount, { donor_name: who, donor_email: mail + "@example.org" });
  await L.totalsUntil(c.id, (t) => t.supporters === 3);

  for (const [loc, file] of [["fr-FR", "widget-fr.png"], ["ar", "widget-ar.png"]]) {
    await test(`the widget in ${loc}: ${file}`, async () => {
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 560, height: 400 });
      await page.goto(`${BASE}/embed/${c.id}?locale=${loc}`);
      await page.locator(W + " .raised").waitFor();
      await page.locator(W + " .box").screenshot({ path: path.join(out, file) });
      const [w, h] = pngSize(path.join(out, file));
      assert(w > 300 && h > 150, `${file}: ${w}x${h}`);
      await page.close();
    });
  }

  await test("the dashboard: dashboard.png", async () => {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(BASE + "/admin");
    await page.fill("#token", L.token());
    await page.click("#login-form button");
    await page.locator("#campaigns tbody tr", { hasText: c.id }).locator("button").click();
    await page.locator("#chart path.raised").waitFor();
    await page.locator("#pledges tbody tr").nth(2).waitFor();
    await page.screenshot({ path: path.join(out, "dashboard.png"), fullPage: false });
    const [w, h] = pngSize(path.join(out, "dashboard.png"));
    assert(w === 1100 && h === 900, `${w}x${h}`);
    await page.close();
  });

  await ctx.done();
})().catch((e) => { console.error(e); process.exit(1); });
