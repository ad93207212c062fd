// Where `npm start` listens. Without an admin password every change is open (launch, cancel, API
// tokens that write through the MLflow API), so the dashboard serves only this machine unless told
// otherwise, and serving other machines needs a password.
import net from "node:net";

/** 127.0.0.0/8, ::1 and "localhost": reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return net.isIPv4(host) && host.startsWith("127.");
}

/** Why the dashboard must not listen on `host`, or null when it may. */
export function listenRefusal(host: string, adminPassword: string | undefined): string | null {
  if (host.trim() === "") return "--host must name an address (127.0.0.1, 0.0.0.0, a hostname)";
  if (isLoopbackHost(host) || (adminPassword ?? "") !== "") return null;
  return `refusing to listen on ${host} without an admin password (anyone who can reach it could launch runs and mint API tokens): start with URLVR_ADMIN_PASSWORD=<password> npm start -- --host ${host}, or leave --host at 127.0.0.1.`;
}
