// The README's "Use it in your app", done as printed (only the clone's path and the broker's
// ports changed) from a temporary folder outside the repository: `npm run pack`, then a fresh
// Node project that installs the tarballs and runs an ES module and a CommonJS file, and a fresh
// Vite app built with `vite build` and opened in Chromium. npm may reach the registry for ws, idb
// and vite; the cache answers first (prefer-offline).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { type Broker, createBroker, type TapEvent } from '@courier/broker';
import { readmeBlocks, repository } from '../support/readme';
import { freePort } from '../support/free-port';
import { runShell, startShell } from '../support/shell';

const NPM_QUIET = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const clone = repository.replace(/\/$/, '');
let broker: Broker;
let folder: string;
const events: TapEvent[] = [];
// packs/ is what `npm run pack` writes; left as it was found (a reader's own packs stay).
const packsWereThere = existsSync(`${repository}packs`);

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  broker.tap((event) => events.push(event));
  folder = mkdtempSync(join(tmpdir(), 'courier-app-'));
});
test.afterAll(async () => {
  await broker?.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  if (!packsWereThere) rmSync(`${repository}packs`, { recursive: true, force: true });
});

/** The section's blocks, with the clone's path and the broker's ports put in. */
function blocks(heading: string): { lang: string; code: string }[] {
  return readmeBlocks(heading).map(({ lang, code }) => ({
    lang,
    code: code
      .replaceAll('/path/to/courier', clone)
      .replaceAll('mqtt://127.0.0.1:1883', `mqtt://127.0.0.1:${broker.port}`)
      .replaceAll('ws://127.0.0.1:8083/mqtt', `ws://127.0.0.1:${broker.wsPort}/mqtt`),
  }));
}

/** Runs the README's install block, then checks that `expected` is there: npm can exit 0 having installed nothing. */
async function installAsPrinted(block: string, project: string, expected: string): Promise<void> {
  await runShell(block, folder, NPM_QUIET);
  expect(existsSync(join(project, expected)), `${expected} after the README's install block`).toBe(true);
}

function acknowledged(clientId: string, type: 'puback' | 'pubcomp'): boolean {
  return events.some((event) => event.clientId === clientId && event.direction === 'out' && event.packet.type === type);
}

test('npm run pack writes one installable tarball per package', async () => {
  test.setTimeout(120_000);
  const [pack] = blocks('## Use it in your app');
  expect(pack!.code.trim()).toMatch(/^npm run pack\s+#/);
  await runShell(pack!.code, repository);
  const packages = readdirSync(`${repository}packages`).length;
  expect(readdirSync(`${repository}packs`).filter((name) => name.endsWith('.tgz'))).toHaveLength(packages);
});

test('a fresh Node project installs the tarballs and runs Courier as an ES module and as CommonJS', async () => {
  test.setTimeout(120_000);
  const [install, esm, cjs] = blocks('### In a Node project');
  expect([install!.lang, esm!.lang, cjs!.lang]).toEqual(['sh', 'js', 'js']);
  await installAsPrinted(install!.code, join(folder, 'my-service'), 'node_modules/@courier/node/package.json');
  const project = join(folder, 'my-service');
  writeFileSync(join(project, 'main.mjs'), esm!.code);
  writeFileSync(join(project, 'main.cjs'), cjs!.code);
  // Installed, not linked: node_modules holds copies from the tarballs, outside the repository.
  expect(existsSync(join(project, 'node_modules/@courier/node/dist/index.cjs'))).toBe(true);

  expect(await runShell('node main.mjs', project)).toBe('the broker has it (PUBACK)\n');
  expect(acknowledged('my-service', 'puback')).toBe(true);
  expect(await runShell('node main.cjs', project)).toBe('the broker has it (PUBACK)\n');
  expect(acknowledged('my-cjs-service', 'puback')).toBe(true);
});

test('a fresh Vite app installs the tarballs, builds with vite build and delivers at QoS 2 in Chromium', async ({ page }) => {
  test.setTimeout(180_000);
  const [install, html, js] = blocks('### In a Vite app');
  expect([install!.lang, html!.lang, js!.lang]).toEqual(['sh', 'html', 'js']);
  await installAsPrinted(install!.code, join(folder, 'my-page'), 'node_modules/.bin/vite');
  const app = join(folder, 'my-page');
  writeFileSync(join(app, 'index.html'), html!.code);
  writeFileSync(join(app, 'main.js'), js!.code);
  await runShell('npx vite build', app, NPM_QUIET);

  const server = await serve(join(app, 'dist'));
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await expect(page.locator('#status')).toHaveText('the broker has it, exactly once (PUBCOMP)', { timeout: 20_000 });
    expect(acknowledged('my-page', 'pubcomp')).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('the same Vite app runs in `npx vite`, the dev server', async ({ page }) => {
  test.setTimeout(90_000);
  const app = join(folder, 'my-page');
  const port = await freePort();
  const dev = startShell(`npx vite --port ${port} --strictPort`, app, NPM_QUIET);
  try {
    await dev.waitFor('ready in');
    await page.goto(`http://localhost:${port}/`);
    await expect(page.locator('#status')).toHaveText('the broker has it, exactly once (PUBCOMP)', { timeout: 30_000 });
  } finally {
    await dev.stop();
  }
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A static server for the built site, as any host of static files would serve it. */
async function serve(root: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url === '/' ? '/index.html' : request.url!.split('?')[0]!;
    readFile(join(root, path)).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
