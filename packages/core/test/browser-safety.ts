// Bundles an entry for the browser and lists what would tie it to Node.
import { build } from 'esbuild';

export interface BrowserBundle {
  /** Node built-ins, Buffer, require() or process found, or the build's own errors. */
  problems: string[];
  bytes: number;
  inputs: string[];
}

const NODE_GLOBALS = [/\bBuffer\b/, /\brequire\s*\(/, /\bprocess\./, /\b__dirname\b/];

export async function bundleForBrowser(entry: string, conditions: string[] = []): Promise<BrowserBundle> {
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions,
      metafile: true,
      minify: true,
      logLevel: 'silent',
    });
  } catch (error) {
    const errors = (error as { errors?: { text: string }[] }).errors ?? [{ text: String(error) }];
    return { problems: errors.map((e) => e.text), bytes: 0, inputs: [] };
  }
  const code = result.outputFiles[0]!.text;
  const problems = NODE_GLOBALS.filter((pattern) => pattern.test(code)).map((pattern) => `uses ${pattern.source}`);
  const inputs = Object.keys(result.metafile.inputs);
  problems.push(...inputs.filter((input) => input.startsWith('node:')).map((input) => `imports ${input}`));
  return { problems, bytes: code.length, inputs };
}
