// The SharedWorker of the tabs test: it owns the shared sessions of the tabs that connect to it.
import { serveSharedSessions } from '@courier/browser';

serveSharedSessions();
