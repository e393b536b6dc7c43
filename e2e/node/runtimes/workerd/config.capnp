# workerd's configuration for the Worker in worker.mjs (bundled by the test beside this file as
# worker.bundle.mjs). Its socket's address is given on the command line (--socket-addr). By
# default a Worker's outgoing connections may reach only public addresses: the "internet" service
# here lets it reach the test's broker on 127.0.0.1.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.bundle.mjs") ],
  compatibilityDate = "2025-09-01",
);
