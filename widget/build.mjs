// Build dist/: widget.js (one IIFE bundle with socket.io-client), widget.css, demo.html,
// and print the size report (raw and gzipped bytes; budget 60 KB gzipped for JS + CSS).
import { build } from "esbuild";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP = 60 * 1024;
await mkdir("dist", { recursive: true });
const js = await build({
  entryPoints: ["src/index.js"],
  metafile: true,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019", "chrome80", "safari13", "firefox78"],
  legalComments: "eof",
  outfile: "dist/widget.js",
  logLevel: "warning",
});
await build({ entryPoints: ["src/widget.css"], minify: true, outfile: "dist/widget.css", logLevel: "warning" });
await copyFile("src/demo.html", "dist/demo.html");

const sizes = {};
for (const f of ["widget.js", "widget.css"]) {
  const buf = await readFile(`dist/${f}`);
  sizes[f] = { bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}
// minified bytes of the bundle by origin: the widget's own code vs socket.io-client and its deps
const parts = { widget: 0, "socket.io-client": 0 };
for (const [file, info] of Object.entries(js.metafile.outputs["dist/widget.js"].inputs)) {
  parts[file.startsWith("src/") ? "widget" : "socket.io-client"] += info.bytesInOutput;
}
sizes.bundle_parts_minified = parts;
const total = sizes["widget.js"].gzip + sizes["widget.css"].gzip;
sizes.total_gzip = total;
sizes.budget_gzip = BUDGET_GZIP;
await writeFile("dist/size.json", JSON.stringify(sizes, null, 2) + "\n");
const kb = (n) => (n / 1024).toFixed(1) + " KB";
console.log("widget size (minified / gzipped):");
for (const f of ["widget.js", "widget.css"]) console.log(`  ${f.padEnd(11)} ${kb(sizes[f].bytes).padStart(9)} / ${kb(sizes[f].gzip)}`);
console.log(`  widget.js = own code ${kb(parts.widget)} + socket.io-client ${kb(parts["socket.io-client"])} (minified)`);
console.log(`  total gzipped ${kb(total)} (budget ${kb(BUDGET_GZIP)})${total > BUDGET_GZIP ? "  OVER BUDGET" : ""}`);
await writeFile("dist/.built", new Date().toISOString() + "\n");
if (total > BUDGET_GZIP) process.exit(1);
