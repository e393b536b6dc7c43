// A real cluster for failover tests: three (or `size`) Aedes 1.2 processes on free loopback ports
// sharing one redis-server, which carries messages between nodes and keeps every session, so a
// persistent session continues on another node with sessionPresent=1 and its offline QoS 1/2
// messages. Needs `apt-get install -y redis-server` and the npm devDependencies mqemitter-redis
// 7.2.1 and aedes-persistence-redis 11.2.2 (12.x does not install beside aedes 1.2). Starts in
// about 2 s. Nodes are child processes: `kill(i)` is a SIGKILL, as a crash would be.
import { fileURLToPath } from 'node:url';
import { ChildScript } from './child-process';
import { type RunningRedis, startRedis } from './redis';

const NODE_SCRIPT = fileURLToPath(new URL('./aedes-cluster-node.ts', import.meta.url));
const LISTENING = /^listening on (mqtt:\/\/127\.0\.0\.1:\d+)$/;

export interface AedesCluster {
  /** mqtt:// URL of each node, in node order. */
  readonly urls: string[];
  /** Kills node `index` with SIGKILL and waits until it is gone. */
  kill(index: number): Promise<void>;
  /** Stops every node still running, then Redis. */
  stop(): Promise<void>;
}

async function startNode(redis: RunningRedis, id: string): Promise<{ url: string; script: ChildScript }> {
  const script = new ChildScript(NODE_SCRIPT, [String(redis.port), id]);
  if (!(await script.waitForLine((line) => LISTENING.test(line), 20_000))) {
    await script.kill();
    throw new Error(`Aedes node ${id} did not start: ${script.errors}`);
  }
  const url = script.lines.map((line) => LISTENING.exec(line)?.[1]).find((found) => found !== undefined)!;
  return { url, script };
}

export async function startAedesCluster(size = 3): Promise<AedesCluster> {
  const redis = await startRedis();
  const nodes: { url: string; script: ChildScript }[] = [];
  try {
    // One at a time: three tsx start-ups at once on two shared cores take longer than in turn.
    for (let i = 0; i < size; i++) nodes.push(await startNode(redis, `node-${i}`));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.script.kill()));
    await redis.stop();
    throw error;
  }
  return {
    urls: nodes.map((node) => node.url),
    kill: (index) => nodes[index]!.script.kill(),
    stop: async () => {
      await Promise.all(nodes.map((node) => node.script.kill()));
      await redis.stop();
    },
  };
}
