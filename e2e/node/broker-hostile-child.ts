// Runs the hostile peers in a process of their own, so that generating their traffic does not
// take the event loop from the broker under test: `<seed> <count> <wsCount> <port> <wsPort> <ms>`.
// Prints "started", and when the time is up, the figures as one JSON line.
import { startHostilePeers } from './broker-hostile-peers';

const [seed, count, wsCount, port, wsPort, ms] = process.argv.slice(2).map(Number) as [number, number, number, number, number, number];
const peers = startHostilePeers({ seed, count, wsCount, port, wsPort });
console.log('started');
setTimeout(() => {
  void peers.stop().then(() => {
    console.log(JSON.stringify(peers.figures));
    process.exit(0);
  });
}, ms);
