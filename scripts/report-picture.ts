/**
 * Takes the README's picture of an HTML report: opens REPORT.html in Debian's headless Chromium
 * (playwright-core) and screenshots the summary and the first charts of the first test.
 *
 *   bun scripts/report-picture.ts REPORT.html OUT.png [--charts 3] [--width 1000]
 */
import { chromium } from "playwright-core";

const argv = process.argv.slice(2);
const [input, output] = argv;
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
if (!input || !output) {
  console.error("usage: bun scripts/report-picture.ts REPORT.html OUT.png [--charts 3] [--width 1000]");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.VSB_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: opt("--width", 1000), height: 800 } });
  await page.goto(`file://${Bun.pathToFileURL(input).pathname}`);
  await page.waitForSelector("body[data-charts]", { state: "attached" });
  const charts = await page.$$(".chart");
  const last = charts[Math.min(charts.length, opt("--charts", 3)) - 1];
  const box = await last?.boundingBox();
  if (!box) throw new Error("the report has no chart");
  await page.screenshot({ path: output, fullPage: true, clip: { x: 0, y: 0, width: opt("--width", 1000), height: Math.ceil(box.y + box.height + 8) } });
} finally {
  await browser.close();
}
