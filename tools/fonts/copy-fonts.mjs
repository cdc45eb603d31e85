// Copies Noto Sans Khmer into core/static/fonts/: the Khmer subset only (the site's Latin text
// keeps the system fonts), regular (400) and bold (700), as WOFF2 (every browser the site
// supports reads it), and the font's licence (SIL Open Font License 1.1) beside them.
//
//   cd tools/fonts && npm ci && npm run build
//
// The files come from the pinned @fontsource/noto-sans-khmer package (package-lock.json);
// the output is committed, so neither `make run` nor CI needs Node.js. The @font-face rules
// that use them are in core/static/css/site.css.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const OUTPUT = join(here, "..", "..", "mped", "static", "fonts");
const PACKAGE = "@fontsource/noto-sans-khmer";
const root = dirname(require.resolve(`${PACKAGE}/package.json`));
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

mkdirSync(OUTPUT, { recursive: true });
for (const weight of [400, 700]) {
  const name = `noto-sans-khmer-khmer-${weight}-normal.woff2`;
  copyFileSync(join(root, "files", name), join(OUTPUT, name));
  console.log(`${PACKAGE} ${version}: ${name}`);
}
copyFileSync(join(root, "LICENSE"), join(OUTPUT, "noto-sans-khmer-OFL.txt"));
console.log(`${PACKAGE} ${version}: LICENSE -> noto-sans-khmer-OFL.txt`);
