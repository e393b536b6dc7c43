// Prints the functions with the most self time in one or more .cpuprofile files (from
// BENCH_PROFILE=1 npm run bench:e2e, or any `node --cpu-prof`), summed over the files:
//   node --import tsx bench/e2e/profile-top.ts [--top N] FILE...
// Functions in the bundled client process are attributed to their source file through the
// `// path/to/file.ts` comments esbuild leaves in the bundle. Samples taken while the profiler
// itself was being stopped (under node:inspector's post) are left out.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
let top = 30;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else files.push(args[i]!);
}
if (files.length === 0) {
  console.error('usage: profile-top.ts [--top N] FILE.cpuprofile...');
  process.exit(2);
}

// For a bundle: the source file each line comes from.
const sourceMaps = new Map<string, string[]>();
function sourceOf(url: string, line: number): string {
  if (!url.startsWith('file://')) return url;
  const path = fileURLToPath(url);
  if (!path.endsWith('.mjs') || !path.includes('bench-e2e')) return path.replace(/^.*\/(node_modules|packages|bench)\//, '$1/');
  let lines = sourceMaps.get(path);
  if (lines === undefined) {
    lines = [];
    let current = path;
    const text = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
    for (const l of text) {
      const match = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(l);
      if (match !== null) current = match[1]!;
      lines.push(current);
    }
    sourceMaps.set(path, lines);
  }
  return lines[line] ?? path;
}

const self = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Every node below node:inspector's post: the profiler stopping and serialising, not the workload.
  const profiler = new Set<number>();
  const mark = (id: number): void => {
    profiler.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of profile.nodes) if (node.callFrame.url === 'node:inspector') mark(node.id);
  for (let i = 0; i < profile.samples.length; i++) {
    if (profiler.has(profile.samples[i]!)) continue;
    const node = byId.get(profile.samples[i]!)!;
    const delta = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'}  ${url === '' ? '' : `${sourceOf(url, lineNumber)}:${lineNumber + 1}`}`;
    self.set(name, (self.get(name) ?? 0) + delta);
    total += delta;
  }
}
const idle = self.get('(idle)  ') ?? 0;
const busy = total - idle;
console.log(`${files.length} profile(s): ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy`);
console.log('self ms | % of busy | function  source:line');
for (const [name, micros] of [...self].filter(([n]) => n !== '(idle)  ').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(micros / 1000).toFixed(0).padStart(7)} | ${((micros / busy) * 100).toFixed(1).padStart(8)}% | ${name}`);
}
